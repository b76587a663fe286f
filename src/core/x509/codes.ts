import type {CodeInfo} from '../findings.js'

/** Finding codes of src/core/x509. Never rename a code; add new ones. */
export const X509_CODES: CodeInfo[] = []
