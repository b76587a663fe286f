import type {CodeInfo} from '../findings.js'

/** Finding codes of src/core/check (the orchestration of `check` and `probe`). Never rename a code; add new ones. */
export const CHECK_CODES: CodeInfo[] = [
  {
    code: 'check-skipped-plaintext',
    severity: 'info',
    title: 'A server set to security `none` was not probed',
    why: 'There is no certificate to check on a plaintext connection; `lint` already reports `security-none` as an error.',
    fix: 'Use `ssl` (993, 995, 465) or `starttls` (143, 110, 587) and run `check` again.',
  },
]
