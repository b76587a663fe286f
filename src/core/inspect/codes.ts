import type {CodeInfo} from '../findings.js'

/** Finding codes of src/core/inspect. Never rename a code; add new ones. */
export const INSPECT_CODES: CodeInfo[] = []
