import type { ReactNode } from 'react';
import { ApiError } from '../api/client.ts';

/** What a page shows while it loads, when it has nothing, and when something went wrong: in words. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="state" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state empty">{children}</p>;
}

export function ErrorState({ error, what }: { error: unknown; what: string }) {
  const message = error instanceof ApiError ? error.message : 'The server could not be reached. Check your connection and try again.';
  const hint = error instanceof ApiError && error.status === 403 ? ' Your account may not see this.' : error instanceof ApiError && error.status === 404 ? ' It may not exist, or it is not yours.' : '';
  return (
    <div className="state error" role="alert">
      <strong>We could not load {what}.</strong> {message}
      {hint}
    </div>
  );
}

/** A one-line result of an action, read out to screen readers. */
export function Notice({ kind, children }: { kind: 'ok' | 'error'; children: ReactNode }) {
  return (
    <p className={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  );
}
