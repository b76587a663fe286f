/**
 * The only "trusted" CA of the probe's TLS context: a constant self-signed certificate shipped in
 * the source. Earlier every process generated an RSA key and signed a fresh certificate with
 * node-forge for this (about 0.2 s of CPU on a one-endpoint probe).
 *
 * Why a constant is safe: the probe never lets OpenSSL's verdict count (rejectUnauthorized: false)
 * and reads the chain with getPeerX509Certificate(), which never adds certificates from the
 * context's store; judging trust is src/core/x509's job. This anchor only replaces Node's default
 * CA list in the context, so that no real root could ever be appended to a chain. It never signs
 * anything: its private key (P-256) was discarded the moment the certificate was made
 * (`openssl req -x509 -newkey ec … -keyout` to a file deleted at once), so no chain can lead to it,
 * and a server that sent it would get no more than any other unknown self-signed certificate.
 * Valid 2026-12-01 to 2126-11-07; its expiry would not matter either.
 */
export const PLACEHOLDER_ANCHOR_PEM = `-----BEGIN CERTIFICATE-----
MIIB2TCCAX+gAwIBAgIUSXHzAjvz/lEFhU4bKKW6bORBuc0wCgYIKoZIzj0EAwIw
OTE3MDUGA1UEAwwubWFpbHByb2ZpbGUgcHJvYmUgcGxhY2Vob2xkZXIgKHRydXN0
cyBub3RoaW5nKTAgFw0yNjEyMDEyMTM2NDdaGA8yMTI2MTEwNzIxMzY0N1owOTE3
MDUGA1UEAwwubWFpbHByb2ZpbGUgcHJvYmUgcGxhY2Vob2xkZXIgKHRydXN0cyBu
b3RoaW5nKTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABEYMEfW87yM5Gr2JGQgv
pm4KcM/3e/2Pb8QEFW02ssho3HJBKCh196u88RFfCGJZzBkUz55K61TJLs8uh/Eg
MCujYzBhMB0GA1UdDgQWBBRYh6l0ddxvfKFKB0SiB2ZwbyHb9DAfBgNVHSMEGDAW
gBRYh6l0ddxvfKFKB0SiB2ZwbyHb9DAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB
/wQEAwICBDAKBggqhkjOPQQDAgNIADBFAiAQhUsJ8UogQhoNlA6pb2y+abUviL+n
xghyjaV/oA0j+AIhAOZoa34CpcCgOCWCm31Ap6AF+p4IiqdoI8BhHvfKM9t+
-----END CERTIFICATE-----
`
