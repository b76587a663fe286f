/** ANSI styling, only when asked for (a TTY without NO_COLOR). */
export interface Style {
  red(s: string): string
  yellow(s: string): string
  blue(s: string): string
  dim(s: string): string
  bold(s: string): string
  green(s: string): string
}

const wrap = (open: number, close: number) => (s: string) => `\u001B[${open}m${s}\u001B[${close}m`

export const COLOR: Style = {red: wrap(31, 39), yellow: wrap(33, 39), blue: wrap(34, 39), dim: wrap(2, 22), bold: wrap(1, 22), green: wrap(32, 39)}
const id = (s: string) => s
export const PLAIN: Style = {red: id, yellow: id, blue: id, dim: id, bold: id, green: id}

/** Colour only on a TTY, never with NO_COLOR (any value) or TERM=dumb; FORCE_COLOR forces it on. */
export function useColor(stream: {isTTY?: boolean}, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  if (env.NO_COLOR !== undefined) return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true
  if (env.TERM === 'dumb') return false
  return Boolean(stream.isTTY)
}
