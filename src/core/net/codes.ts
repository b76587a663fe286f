import type {CodeInfo} from '../findings.js'

/** Finding codes of src/core/net. Never rename a code; add new ones. */
export const NET_CODES: CodeInfo[] = []
