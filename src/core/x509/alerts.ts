/** What users see when a mail client rejects a server certificate. */

/** iOS/iPadOS and macOS Mail (and Settings → Mail → Accounts while adding the account). */
export function appleAlert(host: string): string {
  return `iPhone, iPad and Mac Mail show ${appleAlertText(host)}`
}

/** The alert itself, quoted. */
export function appleAlertText(host: string): string {
  return `"Cannot Verify Server Identity: The identity of "${host}" cannot be verified by Mail."`
}

/** Outlook for Windows (it judges with the Windows root store and fetches missing intermediates via AIA). */
export const OUTLOOK_ALERT = 'Outlook shows "The server you are connected to is using a security certificate that cannot be verified."'
