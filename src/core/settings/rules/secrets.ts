import type {Finding} from '../../findings.js'
import {settingsFinding} from '../codes.js'
import {readablePath, type PathSegment, type SourceDocument} from '../document.js'

/** Key names that hold secrets: password, passwd, pass, pwd, secret, passphrase, token, … (not passphraseEnv). */
const SECRET_WORD = /(?:^|[^a-z])(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[-_]?key|private[-_]?key[-_]?(?:pem|data))(?:$|[^a-z])/i

/** A part of every word SECRET_WORD matches. */
const SECRET_PARTS = ['pass', 'pwd', 'secret', 'token', 'key']

/** Whether a key in the settings (or a CSV column) names a secret. `passphraseEnv` names a variable, not a secret. */
export function isSecretKey(key: string): boolean {
  // Every secret word holds one of these: most keys are passed without running (and, in a cold
  // lint, compiling) the regular expressions, about 1 ms of a lint of the examples.
  const lower = key.toLowerCase()
  if (!SECRET_PARTS.some((part) => lower.includes(part))) return false
  if (/env$/i.test(key)) return false
  // Split camelCase so `smtpPassword` or `userPass` match as words.
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2')
  return SECRET_WORD.test(words)
}

export function passwordFinding(key: string, where: string, source: Finding['source']): Finding {
  return settingsFinding('password-in-settings', {
    message: `"${key}" in ${where} holds a secret: settings files live in git, where a password is readable by everyone with the repository and stays in its history.`,
    fix: `Remove "${key}" and change that password. Users type their own password on the device; a signing key's passphrase goes in an environment variable named by signing.passphraseEnv.`,
    source,
  })
}

/**
 * Finds secret-named keys anywhere in the raw document. Runs before (and whatever the result of)
 * the schema pass; the schema pass leaves these keys to it instead of reporting `unknown-key`.
 */
export function findSecrets(doc: SourceDocument): Finding[] {
  const findings: Finding[] = []
  const walk = (node: unknown, path: PathSegment[]): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, [...path, i]))
    } else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (isSecretKey(key)) findings.push(passwordFinding(key, path.length === 0 ? 'the top level' : readablePath(path), doc.locate([...path, key], {key: true})))
        else walk(value, [...path, key])
      }
    }
  }
  walk(doc.data, [])
  return findings
}
