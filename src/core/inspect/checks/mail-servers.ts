/**
 * Mail payloads checked with `lint`'s own host, port and authentication rules (src/core/settings/rules)
 * on the payload read as settings (../mail.ts), plus what only a profile can say: …UseSSL false on a
 * STARTTLS port, which leaves TLS optional.
 */
import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import type {SourceDocument} from '../../settings/document.js'
import {authRules} from '../../settings/rules/auth.js'
import {hostRules} from '../../settings/rules/hosts.js'
import {portRules} from '../../settings/rules/ports.js'
import type {Rule} from '../../settings/rules/types.js'
import {mailPayloadSettings, type MailPayloadSettings} from '../mail.js'
import type {ProfileCheck} from './types.js'
import {pushAll} from '../../arrays.js'

/** Rules that apply to a profile as well as to settings, and which of their codes to keep. */
const RULES: Array<{rule: Rule; codes?: ReadonlySet<string>}> = [
  {rule: portRules},
  {rule: hostRules},
  // Username templates are the settings' own syntax; only the unauthenticated-SMTP check applies.
  {rule: authRules, codes: new Set(['smtp-auth-none'])},
]

/** The rules speak in settings terms; this says what they mean in a profile. */
const SETTINGS_TERMS = '(In the profile: security "ssl" or "starttls" is …UseSSL true on the implicit-TLS or the STARTTLS port, "none" is …UseSSL false.)'

function optionalTlsFindings(mail: MailPayloadSettings, file: string): Finding[] {
  return mail.optionalTls.map(({side, host, port}) => {
    const key = `${side}MailServerUseSSL`
    const role = side === 'Incoming' ? 'incoming' : 'outgoing (SMTP)'
    return finding('starttls-not-required', {
      message: `${mail.label}: the ${role} server ${host}:${port} has ${key} false. Generators such as mox, Modoboa and the npm mobileconfig package write false to mean STARTTLS, but on Apple devices it means TLS is not required: the device uses STARTTLS only if the server offers it, so an attacker on the network can strip STARTTLS and read the password and mail.`,
      fix: `Set ${key} to true: on port ${port} the device then requires STARTTLS.`,
      source: {file},
    })
  })
}

export const mailServersCheck: ProfileCheck = async ({profile, file, now, warnDays}) => {
  const findings: Finding[] = []
  const doc: SourceDocument = {file, data: {}, locate: () => ({file})}
  for (const mail of mailPayloadSettings(profile, file)) {
    pushAll(findings, optionalTlsFindings(mail, file))
    for (const {rule, codes} of RULES) {
      for (const f of await rule({settings: mail.settings, doc, options: {now, warnDays, env: {}}})) {
        if (codes && !codes.has(f.code)) continue
        // The domain was made up from the host name: findings about it would be about nothing real.
        if (mail.derived && (f.code === 'domain-invalid' || f.code === 'host-bare-domain')) continue
        findings.push({...f, message: `${mail.label}: ${f.message}`, fix: f.fix && /security/.test(f.fix) ? `${f.fix} ${SETTINGS_TERMS}` : f.fix, source: {file}})
      }
    }
  }
  return findings
}
