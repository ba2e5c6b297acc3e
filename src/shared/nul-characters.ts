/** PostgreSQL text cannot hold U+0000: a value carrying one would fail the statement that stores it. */

/**
 * Whether a request's parsed input (strings, arrays, objects, their keys) holds a NUL anywhere. It
 * walks with a list, not by recursion: a body nested ten thousand deep must not overflow the stack.
 */
export function containsNul(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return true;
    } else if (Array.isArray(item)) {
      for (const inner of item) pending.push(inner);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, inner] of Object.entries(item)) {
        if (key.includes('\u0000')) return true;
        pending.push(inner);
      }
    }
  }
  return false;
}

/** The text without its NULs, for input that is taken as it comes rather than refused. */
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}
