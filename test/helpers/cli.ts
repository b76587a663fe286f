import {execFile} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = `${ROOT}bin/run.js`

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs the built CLI (bin/run.js → dist/) as a user would. `npm test` builds dist first. */
export function runCli(args: string[], options: {cwd?: string; env?: Record<string, string | undefined>; input?: string; timeoutMs?: number} = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      {cwd: options.cwd ?? ROOT, env: {...process.env, NO_COLOR: '1', ...options.env}, timeout: options.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024},
      (error, stdout, stderr) => {
        const code = error && typeof (error as {code?: unknown}).code === 'number' ? ((error as {code: number}).code) : error ? -1 : 0
        if (error && code === -1) return reject(error)
        resolve({code, stdout, stderr})
      },
    )
    if (options.input !== undefined) child.stdin?.end(options.input)
  })
}
