/**
 * What a certificate is called in messages and output, the one place names are read from
 * distinguished names: the subject's common name (CN), else the whole subject.
 * Node's X509Certificate gives names one attribute per line ("C=DE\nO=Org\nCN=Name");
 * CertificateInfo keeps them comma-joined ("C=DE, O=Org, CN=Name").
 */

/** The (first) CN of a distinguished name in either form. */
export function commonNameOf(dn: string): string | undefined {
  let cn: string | undefined
  for (const part of dn.split(/\n|, (?=[A-Za-z.0-9]+=)/)) if (part.startsWith('CN=')) cn ??= part.slice(3)
  return cn
}

/** The CN of a distinguished name, else the whole name. */
export function shortName(dn: string): string {
  return commonNameOf(dn) ?? dn
}

/** A certificate's display name: its subject CN, else its whole subject. */
export function certificateName(info: {commonName?: string; subject: string}): string {
  return info.commonName ?? info.subject
}

/** The display name of a certificate's issuer: the issuer's CN, else the whole issuer name. */
export function issuerName(info: {issuer: string}): string {
  return shortName(info.issuer)
}

/** A trust anchor's display name from Node's one-per-line subject: CN, else OU, else O, else the subject. */
export function anchorName(subjectLines: string, fallback: string): string {
  const dn = subjectLines.split('\n')
  const field = (key: string) => dn.find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1)
  return field('CN') ?? field('OU') ?? field('O') ?? fallback
}
