/** Certificate payloads whose certificate cannot be read or is out of date. */
import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import {certificateName} from '../../x509/names.js'
import {isoDay, validityAt} from '../../x509/validity.js'
import {payloadCertificate} from '../certificate-payload.js'
import {isDict, payloadLabel} from '../profile.js'
import type {ProfileCheck} from './types.js'

export const certificatesCheck: ProfileCheck = ({payloads, file, now}) => {
  const findings: Finding[] = []
  payloads.forEach((p, i) => {
    if (!isDict(p)) return
    const cert = payloadCertificate(p)
    if (typeof cert === 'string') {
      findings.push(
        finding('payload-certificate-invalid', {
          message: `${payloadLabel(payloads, i)}: PayloadContent is not a readable certificate (${cert}). Devices refuse to install the profile.`,
          fix: 'Put the certificate\'s DER bytes (or PEM for com.apple.security.pem) in PayloadContent.',
          source: {file},
        }),
      )
    } else if (cert && validityAt(cert.info, now).status === 'expired') {
      findings.push(
        finding('payload-certificate-expired', {
          message: `${payloadLabel(payloads, i)}: the certificate "${certificateName(cert.info)}" expired on ${isoDay(cert.info.notAfter)}: servers whose chains end at it cannot be verified ("Cannot Verify Server Identity").`,
          fix: 'Replace it with the CA\'s current certificate.',
          source: {file},
        }),
      )
    }
  })
  return findings
}
