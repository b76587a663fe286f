/** Dictionaries for plist/JSON output with keys in one fixed order (sorted), undefined values dropped: same input, same bytes. */
export function sortedDict(entries: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(entries)
  // Callers mostly write their keys in order already (a profile has thousands of such dictionaries): sort only when needed.
  let sorted = true
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1]! < keys[i]!
  if (!sorted) keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const out: Record<string, unknown> = {}
  for (const key of keys) {
    const value = entries[key]
    if (value !== undefined) out[key] = value
  }
  return out
}
