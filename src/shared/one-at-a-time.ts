/**
 * Wraps `work` so that a call made while an earlier one still runs shares that call's promise
 * rather than starting the work a second time.
 */
export function oneAtATime(work: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () =>
    (running ??= work().finally(() => {
      running = undefined;
    }));
}
