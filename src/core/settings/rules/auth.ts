import type {Finding} from '../../findings.js'
import {settingsFinding} from '../codes.js'
import {suggest} from '../../suggest.js'
import type {Rule} from './types.js'

/** Placeholders the profile generators substitute in username templates. */
export const USERNAME_PLACEHOLDERS = ['%EMAILADDRESS%', '%EMAILLOCALPART%'] as const

/** Authentication: unauthenticated submission and username templates. */
export const authRules: Rule = ({settings, doc}) => {
  const findings: Finding[] = []
  settings.domains.forEach((d, position) => {
    const i = d.index ?? position
    if (d.outgoing?.authentication === 'none') {
      findings.push(settingsFinding('smtp-auth-none', {
        message: `The outgoing server of ${d.domain} (${d.outgoing.host}) is set to authentication "none": when the server requires authentication, as almost all submission servers do, iOS reports "Recipient Rejected By Server" on every message sent.`,
        fix: 'Set `authentication: password`, unless this server really accepts unauthenticated submission from your users.',
        source: doc.locate(['domains', i, 'outgoing', 'authentication']),
      }))
    }
    for (const side of ['incoming', 'outgoing'] as const) {
      const template = d[side]?.username
      if (template === undefined) continue
      for (const match of template.matchAll(/%[^%\s]*%/g)) {
        const token = match[0]
        if ((USERNAME_PLACEHOLDERS as readonly string[]).includes(token)) continue
        const guess = suggest(token, USERNAME_PLACEHOLDERS)
        findings.push(settingsFinding('username-template', {
          message: `The ${side} username template "${template}" has the unknown placeholder ${token}${guess ? ` (did you mean ${guess}?)` : ''}: it would be sent literally as the login name and every user's login would fail.`,
          fix: guess ? `Write ${guess}.` : `Use ${USERNAME_PLACEHOLDERS.join(' or ')}, or a literal login name.`,
          source: doc.locate(['domains', i, side, 'username']),
        }))
      }
    }
  })
  return findings
}
