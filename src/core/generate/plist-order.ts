/** Dictionaries for plist/JSON output with keys in one fixed order (sorted), undefined values dropped: same input, same bytes. */
export function sortedDict(entries: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(entries).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const value = entries[key]
    if (value !== undefined) out[key] = value
  }
  return out
}
