import type {CodeInfo} from '../findings.js'

/**
 * Finding codes of src/core/inspect (`inspect`, and `lint` on .mobileconfig files). Never rename a
 * code; add new ones. Mail payloads are also checked with `lint`'s host and port rules, whose
 * codes (port-security-mismatch, host-invalid, …) are registered with the settings codes.
 */
export const INSPECT_CODES: CodeInfo[] = [
  {
    code: 'unsigned-profile',
    severity: 'info',
    title: 'The profile is not signed.',
    why: 'iOS and macOS show an unsigned profile as "Unverified" on the install screen, and anyone who handles the file can change it unnoticed.',
    fix: 'Sign it: `mailprofile build` does when the settings have a `signing` section.',
  },
  {
    code: 'signature-invalid',
    severity: 'error',
    title: 'The signature does not verify.',
    why: 'The profile was changed after signing, or the signature is damaged: devices refuse to install it ("The profile is not valid" / "Profile Installation Failed").',
    fix: 'Rebuild and re-sign the profile; never edit a signed profile by hand.',
  },
  {
    code: 'signer-expired',
    severity: 'error',
    title: 'The signing certificate is expired or not yet valid.',
    why: 'Devices show the profile as "Not Verified" (red) instead of "Verified", and MDMs may refuse it.',
    fix: 'Renew the signing certificate and sign the profile again.',
  },
  {
    code: 'signer-expiring',
    severity: 'warning',
    title: 'The signing certificate expires soon.',
    why: 'Once it has expired, devices installing the profile show it as "Not Verified".',
    fix: 'Renew the signing certificate and sign the profile again before it expires.',
  },
  {
    code: 'signer-untrusted',
    severity: 'warning',
    title: 'The signer does not chain to a root the device trusts.',
    why: 'The chain in the profile does not reach a root in Apple\'s trust store (or one given with --trust): iPhones and Macs show the profile as "Not Verified".',
    fix: 'Sign with a certificate from a publicly trusted CA and include its intermediates (`signing.chain`), or deploy your private root to the devices first.',
  },
  {
    code: 'signature-unsupported',
    severity: 'warning',
    title: 'The signature uses an algorithm inspect cannot check.',
    why: 'inspect could not tell whether the signature is valid.',
    fix: 'Check it with `openssl cms -verify -inform DER -noverify -in FILE`; re-sign with SHA-256 and RSA or ECDSA.',
  },
  {
    code: 'profile-encrypted',
    severity: 'info',
    title: 'The payloads are encrypted for one device.',
    why: 'An encrypted profile (EncryptedPayloadContent) can only be read by the device it was made for, so its payloads were not checked.',
    fix: 'Inspect the unencrypted profile the MDM started from.',
  },
  {
    code: 'binary-plist-unsupported',
    severity: 'error',
    title: 'The profile is a binary property list variant inspect does not read (newer than bplist00).',
    why: 'Devices accept binary plists, but none of the payload checks could run.',
    fix: 'Convert it to XML and inspect that: `plutil -convert xml1 -o profile.xml profile.mobileconfig`.',
  },
  {
    code: 'payload-unknown-key',
    severity: 'warning',
    title: 'A key is not in Apple\'s schema for the payload.',
    why: 'Devices ignore keys they do not know, so the setting does nothing; usually a typo (`IncomingMailServerHostname` for `IncomingMailServerHostName`).',
    fix: 'Fix the key\'s spelling or remove it.',
  },
  {
    code: 'payload-wrong-type',
    severity: 'error',
    title: 'A value has the wrong plist type.',
    why: 'A `<string>` where Apple expects `<integer>` (or a `<real>` PayloadVersion) makes devices reject the profile ("The profile is not valid") or ignore the setting.',
    fix: 'Write the value with the type Apple\'s schema gives (the message names it).',
  },
  {
    code: 'payload-missing-key',
    severity: 'error',
    title: 'A key Apple requires is missing.',
    why: 'Devices refuse to install a profile whose payload lacks a required key.',
    fix: 'Add the key (the message names it).',
  },
  {
    code: 'payload-invalid-value',
    severity: 'error',
    title: 'A value is not one Apple allows.',
    why: 'A value outside Apple\'s list (e.g. EmailAccountType `IMAP` instead of `EmailTypeIMAP`) makes the installation fail.',
    fix: 'Use one of the values the message lists.',
  },
  {
    code: 'payload-type-unchecked',
    severity: 'info',
    title: 'inspect has no schema for this payload type.',
    why: 'Only the top level, mail, Exchange and certificate payloads are checked against Apple\'s schemas; this payload was listed but not checked.',
    fix: 'Nothing to do, unless the type is a typo of a known one.',
  },
  {
    code: 'duplicate-payload-uuid',
    severity: 'error',
    title: 'Two payloads share a PayloadUUID.',
    why: 'Devices identify payloads by UUID: the second one replaces or collides with the first, and reinstalling the profile may fail ("A profile with this identifier is already installed" or a missing account).',
    fix: 'Give every payload its own UUID (`mailprofile build` derives them from the identifiers).',
  },
  {
    code: 'duplicate-payload-identifier',
    severity: 'error',
    title: 'Two payloads share a PayloadIdentifier.',
    why: 'Apple requires PayloadIdentifier to be unique within a profile; duplicates make installation fail or one account replace the other.',
    fix: 'Append a distinct component to each payload\'s identifier, e.g. `.imap`, `.root`.',
  },
  {
    code: 'payload-identifier-same-as-profile',
    severity: 'warning',
    title: 'A payload has the profile\'s own PayloadIdentifier.',
    why: 'Apple asks for identifiers unique within the profile (the payload\'s usually the profile\'s plus a component); MDMs that track payloads by identifier confuse the two.',
    fix: 'Append a component to the payload\'s identifier, e.g. `.mail`.',
  },
  {
    code: 'plist-duplicate-key',
    severity: 'warning',
    title: 'A key appears twice in one dictionary.',
    why: 'Which of the two values a device uses is not defined; the profile does not say what it seems to say.',
    fix: 'Keep one of the two.',
  },
  {
    code: 'password-in-profile',
    severity: 'error',
    title: 'A password is stored in the profile in clear text.',
    why: 'The profile is not encrypted: everyone who gets the file (mail attachment, web download, MDM log) can read the password.',
    fix: 'Remove the password key: the device asks the user for it during installation. Deliver passwords only in profiles encrypted to the device by an MDM.',
  },
  {
    code: 'profile-top-level-invalid',
    severity: 'error',
    title: 'The plist is not a configuration profile.',
    why: 'A profile\'s root must be a dictionary with PayloadType `Configuration` and a PayloadContent array; devices refuse anything else.',
    fix: 'Check that this is the right file.',
  },
]
