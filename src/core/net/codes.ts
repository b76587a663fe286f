import type {CodeInfo} from '../findings.js'

/** Finding codes of src/core/net. Never rename a code; add new ones. */
export const NET_CODES: CodeInfo[] = [
  {
    code: 'connection-failed',
    severity: 'error',
    title: 'The server could not be reached',
    why: 'The connection was refused or reset, the host name does not resolve, or the server closed the connection before greeting. The iPhone shows "Cannot Get Mail: The connection to the server failed." (or "Cannot Send Mail" for the outgoing server); Outlook cannot connect.',
    fix: 'Check the host name and port in the settings, that the mail service listens on that port, and that no firewall or fail2ban rule blocks it.',
  },
  {
    code: 'timeout',
    severity: 'error',
    title: 'The server did not answer in time',
    why: 'A phase (connect, greeting, a command, the TLS handshake) got no answer within the time limit. Mail clients wait and then show "Cannot Get Mail: The connection to the server failed." (or "Cannot Send Mail" for the outgoing server)',
    fix: 'Check that the port is open to clients (a firewall that drops packets causes timeouts), that the service is not overloaded, and that the port runs the protocol and TLS mode the settings say.',
  },
  {
    code: 'tls-mode-mismatch',
    severity: 'error',
    title: 'The settings and the server disagree on implicit TLS versus STARTTLS',
    why: 'With implicit TLS (SSL) the client starts with a TLS handshake; with STARTTLS it waits for a plaintext greeting first. If the server does the other, iOS and Outlook fail the handshake or wait for a greeting that never comes, and show "Cannot Get Mail: The connection to the server failed."',
    fix: 'Use the security mode the port actually runs: implicit TLS on IMAP 993, POP3 995, SMTP 465; STARTTLS on IMAP 143, POP3 110, SMTP 587.',
  },
  {
    code: 'starttls-unavailable',
    severity: 'error',
    title: 'The server does not offer STARTTLS, or refused it',
    why: 'Clients set to STARTTLS cannot secure the connection: Outlook refuses to connect, and an iPhone without "Use SSL" would sign in without encryption.',
    fix: 'Enable STARTTLS with a certificate on the server (Dovecot: ssl = yes; Postfix: smtpd_tls_security_level = may plus smtpd_tls_cert_file/key_file), or use the implicit-TLS port (993, 995, 465).',
  },
  {
    code: 'legacy-tls-version',
    severity: 'error',
    title: 'The server negotiates only TLS 1.0 or 1.1',
    why: 'iOS 15+, macOS 12+ and current Outlook refuse TLS 1.0 and 1.1: they show "Cannot Get Mail: The connection to the server failed." although the certificate is fine.',
    fix: 'Enable TLS 1.2 and 1.3 on the server (Dovecot: ssl_min_protocol = TLSv1.2; Postfix: smtpd_tls_protocols = >=TLSv1.2; update an old OpenSSL).',
  },
  {
    code: 'smtp-auth-unavailable',
    severity: 'error',
    title: 'The SMTP server offers no AUTH over TLS',
    why: 'Without AUTH the iPhone sends mail without signing in, and the server treats it as relaying: iOS shows "Recipient Rejected By Server: The server rejected the recipient because it does not allow relaying."',
    fix: 'Enable SMTP authentication after TLS on this submission port (Postfix: -o smtpd_sasl_auth_enable=yes for submission/smtps in master.cf), or point the settings at the submission port (587 with STARTTLS or 465 with implicit TLS).',
  },
  {
    code: 'tls-handshake-failed',
    severity: 'error',
    title: 'The TLS handshake failed',
    why: 'The server sent a TLS alert, shares no protocol version or cipher with current clients, or dropped the connection during the handshake. Mail clients show "Cannot Get Mail: The connection to the server failed."',
    fix: 'Check the server\'s TLS configuration: a certificate and key for this service, TLS 1.2 or 1.3 enabled, modern ciphers; the daemon\'s log names the cause.',
  },
  {
    code: 'protocol-error',
    severity: 'error',
    title: 'The server\'s reply was not what a mail client expects',
    why: 'The server sent an unexpected, garbled, oversized or endless reply, refused the session, or closed the connection in the middle of the dialog. Mail clients give up with "Cannot Get Mail".',
    fix: 'Check that the port runs the protocol the settings say (IMAP, POP3 or SMTP) and read the mail daemon\'s log; a proxy, load balancer or firewall in between may be interfering.',
  },
  {
    code: 'auth-before-tls',
    severity: 'warning',
    title: 'The server offers password sign-in before TLS',
    why: 'Before STARTTLS the server accepts a plaintext password (IMAP LOGIN, POP3 USER, AUTH PLAIN/LOGIN). A client configured without TLS, or an attacker who strips STARTTLS, sends the password unencrypted.',
    fix: 'Allow authentication only after TLS (Dovecot: disable_plaintext_auth = yes, or auth_allow_cleartext = no in 2.4; Postfix: smtpd_tls_auth_only = yes).',
  },
  {
    code: 'starttls-extra-data',
    severity: 'error',
    title: 'The server sent data after accepting STARTTLS',
    why: 'Data that arrives between the STARTTLS reply and the TLS handshake could have been injected by an attacker (the STARTTLS command-injection class of flaws); careful clients abort the connection.',
    fix: 'Update the mail server software; check for a proxy in front of it that answers on the server\'s behalf.',
  },
]

