import type {CodeInfo} from '../findings.js'

/** Finding codes of src/core/generate. Never rename a code; add new ones. */
export const GENERATE_CODES: CodeInfo[] = []
