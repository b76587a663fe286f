/** The strong ETag of a served file: its bytes are deterministic, so their hash names them. */
import {hash} from 'node:crypto'

/** One-shot crypto.hash: a Hash object costs more than the SHA-256 of a profile. */
export function strongEtag(bytes: Buffer): string {
  return `"${hash('sha256', bytes, 'base64url')}"`
}
