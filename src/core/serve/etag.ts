/** The strong ETag of a served file: its bytes are deterministic, so their hash names them. */
import {createHash} from 'node:crypto'

export function strongEtag(bytes: Buffer): string {
  return `"${createHash('sha256').update(bytes).digest('base64url')}"`
}
