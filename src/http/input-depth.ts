/**
 * How deep a request's JSON may nest. Every API's bodies are a few levels deep; input nested
 * thousands deep only exhausts the stack of whatever walks it next (JSON.stringify, for one).
 */
export const MAX_NESTING = 32;

/** Whether parsed input nests arrays and objects deeper than `limit`; walked with a list, so any depth is safe to ask about. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth >= limit) return true;
    for (const inner of Array.isArray(item) ? item : Object.values(item)) pending.push([inner, depth + 1]);
  }
  return false;
}
