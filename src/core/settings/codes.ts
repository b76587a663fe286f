import type {CodeInfo} from '../findings.js'

/** Finding codes produced by `lint` on settings files. Never rename a code; add new ones. */
export const SETTINGS_CODES: CodeInfo[] = [
  {code: 'unknown-key', severity: 'error', title: 'A key (or CSV column) the settings format does not know', why: 'A typo such as `prot:` for `port:` would otherwise drop the setting silently and ship a default instead.', fix: 'Rename the key as suggested ("did you mean …"), or remove it.'},
  {code: 'missing-key', severity: 'error', title: 'A required key is missing', why: 'Without it no profile can be built.', fix: 'Add the key; the settings reference lists what each block needs.'},
  {code: 'wrong-type', severity: 'error', title: 'A value has the wrong type', why: 'A port written as text or a list written as a single value cannot be used.', fix: 'Write the value with the type the settings reference gives.'},
  {code: 'invalid-value', severity: 'error', title: 'A value is outside what the format allows', why: 'For example a security mode other than ssl, starttls or none.', fix: 'Use one of the allowed values (the message lists them).'},
  {code: 'users-file-unreadable', severity: 'error', title: 'The users CSV named by `usersFile` cannot be read', why: 'Per-user profiles cannot be built without it.', fix: 'Fix the path (relative to the settings file) or the file.'},
  {code: 'security-none', severity: 'error', title: 'A server is set to security `none`', why: 'Passwords and mail would travel in clear text; RFC 8314 requires TLS and clients warn or refuse.', fix: 'Use `ssl` (implicit TLS: 993, 995, 465) or `starttls` (143, 110, 587).'},
  {code: 'port-security-mismatch', severity: 'error', title: 'The port contradicts the security mode', why: 'Implicit-TLS ports (993/995/465) with starttls, or STARTTLS ports (143/110/587) with ssl: the client and server wait for each other; Outlook hangs and iOS cannot connect.', fix: 'Match the mode to the port: `ssl` on 993/995/465, `starttls` on 143/110/587.'},
  {code: 'port-protocol-mismatch', severity: 'error', title: 'An IMAP server on a POP3 port or the reverse', why: 'The client would speak the wrong protocol and fail to log in.', fix: 'Use the protocol\'s port: IMAP 993/143, POP3 995/110.'},
  {code: 'smtp-port-25', severity: 'warning', title: 'Outgoing mail on port 25', why: 'Port 25 is for server-to-server relay; many networks block it for clients (RFC 6409).', fix: 'Use 465 with `ssl` or 587 with `starttls`.'},
]
