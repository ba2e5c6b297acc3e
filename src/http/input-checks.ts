/**
 * How deep a request's input may nest. Every API's bodies are a few levels deep; input nested
 * thousands deep only exhausts the stack of whatever walks it next (JSON.stringify, for one).
 */
export const MAX_NESTING = 32;

/**
 * Why parsed request input (a body, a query) cannot be taken, or undefined: it nests deeper than
 * MAX_NESTING, or a string or key in it holds a NUL, which PostgreSQL text cannot hold and which
 * would fail the statement that stores it. Depth is the answer when both are wrong. One walk, with
 * its own list rather than recursion, so any depth is safe to look at.
 */
export function inputProblem(value: unknown): string | undefined {
  let nul = false;
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (typeof item === 'string') {
      nul ||= item.includes('\u0000');
    } else if (item !== null && typeof item === 'object') {
      if (depth >= MAX_NESTING) return `The request body nests deeper than ${MAX_NESTING} levels`;
      if (Array.isArray(item)) {
        for (const inner of item) pending.push([inner, depth + 1]);
      } else {
        for (const [key, inner] of Object.entries(item)) {
          nul ||= key.includes('\u0000');
          pending.push([inner, depth + 1]);
        }
      }
    }
  }
  return nul ? 'Text must not contain NUL characters' : undefined;
}
