const ignore = (): void => undefined;

/**
 * Wraps `work` so that runs never overlap, and each call is answered by a run that began after it:
 * a call made while a run is under way waits for the next run, which starts when that one ends and
 * answers every call that waited for it. So a caller that has just changed what the work reads sees
 * the change, however the run under way began.
 */
export function oneAtATime(work: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const call = (): Promise<void> => {
    if (!running) {
      running = work().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued ??= running.then(ignore, ignore).then(() => {
      queued = undefined;
      return call();
    });
    return queued;
  };
  return call;
}
