/**
 * Appends every item to `target` in a loop. `push(...items)` passes each item as an
 * argument, and V8 throws "Maximum call stack size exceeded" once there are about 120,000 of
 * them (users from a CSV, findings); this never does.
 */
export function pushAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item)
  return target
}

/** The largest of `values` (`-Infinity` for none), without spreading them into arguments. */
export function maxOf(values: Iterable<number>): number {
  let max = -Infinity
  for (const v of values) if (v > max) max = v
  return max
}
