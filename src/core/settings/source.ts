/** The settings' view of src/core/files.ts (the one file-reading utility). */
export {decodeText, formatBytes, MAX_INPUT_BYTES, readNamedFile, readTextInput} from '../files.js'

/**
 * Users CSV files larger than this are refused unless `--max-users-file-size` raises it: 128 MiB,
 * about 2.8 million users at 45 bytes a line (1,000,000 users are about 45 MB).
 */
export const MAX_USERS_FILE_BYTES = 128 * 1024 * 1024
