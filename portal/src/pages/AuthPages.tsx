import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { ApiError, send } from '../api/client.ts';
import { Field, TextArea } from '../components/Field.tsx';
import { Notice } from '../components/States.tsx';

function AuthFrame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main id="main" className="auth">
      <div className="auth-card">
        <p className="brand">Partnerline</p>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

function useSubmit<T>(action: () => Promise<T>, onDone: (result: T) => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onDone(await action());
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError(0, 'The server could not be reached. Try again.'));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}

export function SignIn() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const { busy, error, submit } = useSubmit(
    () => send('POST', '/api/v1/session', { email, password, ...(code ? { code } : {}) }),
    async () => {
      await client.invalidateQueries({ queryKey: ['session'] });
      navigate('/');
    },
  );
  useEffect(() => {
    if (error?.problem === 'code_needed' || error?.problem === 'wrong_code') setNeedsCode(true);
  }, [error]);
  return (
    <AuthFrame title="Sign in">
      <form onSubmit={submit} noValidate>
        <Field label="Email" type="email" autoComplete="username" required value={email} onChange={(event) => setEmail(event.target.value)} />
        <Field label="Password" type="password" autoComplete="current-password" required value={password} onChange={(event) => setPassword(event.target.value)} />
        {needsCode && (
          <Field
            label="Two-factor code"
            inputMode="numeric"
            autoComplete="one-time-code"
            hint="The six digits from your authenticator app, or one of your recovery codes"
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
        )}
        {error && error.problem !== 'code_needed' && <Notice kind="error">{error.message}</Notice>}
        {error?.problem === 'code_needed' && <Notice kind="ok">{error.message}</Notice>}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        <Link href="/forgot-password">Forgot your password?</Link> · <Link href="/sign-up">Apply as a partner</Link>
      </p>
    </AuthFrame>
  );
}

export function SignUp() {
  const [form, setForm] = useState({ company: '', name: '', email: '', password: '', website: '', trafficSources: '', promotion: '' });
  const [done, setDone] = useState(false);
  const set = (field: keyof typeof form) => (event: { target: { value: string } }) => setForm({ ...form, [field]: event.target.value });
  const { busy, error, submit } = useSubmit(
    () => send('POST', '/api/v1/partner-applications', { ...form, website: form.website || undefined }),
    () => setDone(true),
  );
  if (done) {
    return (
      <AuthFrame title="Thank you for applying">
        <Notice kind="ok">We sent a link to {form.email} to confirm your address. The network reviews your application and tells you by email.</Notice>
        <p>
          <Link href="/sign-in">Back to sign-in</Link>
        </p>
      </AuthFrame>
    );
  }
  return (
    <AuthFrame title="Apply as a partner">
      <form onSubmit={submit} noValidate>
        <Field label="Company" required value={form.company} onChange={set('company')} />
        <Field label="Your name" required autoComplete="name" value={form.name} onChange={set('name')} />
        <Field label="Email" type="email" required autoComplete="email" value={form.email} onChange={set('email')} />
        <Field label="Password" type="password" required autoComplete="new-password" hint="At least 10 characters" value={form.password} onChange={set('password')} />
        <Field label="Website" type="url" placeholder="https://" value={form.website} onChange={set('website')} />
        <TextArea label="Traffic sources" required hint="Where your visitors come from: sites, newsletters, social accounts, apps" value={form.trafficSources} onChange={set('trafficSources')} />
        <TextArea label="How you promote" required hint="Reviews, coupons, cashback, paid search…" value={form.promotion} onChange={set('promotion')} />
        {error && <Notice kind="error">{error.message}</Notice>}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Sending…' : 'Send application'}
        </button>
      </form>
      <p>
        <Link href="/sign-in">I already have an account</Link>
      </p>
    </AuthFrame>
  );
}

export function ForgotPassword() {
  const [email, setEmail] = useState('');
  const [message, setMessage] = useState('');
  const { busy, error, submit } = useSubmit(
    () => send<{ message: string }>('POST', '/api/v1/password-reset', { email }),
    (result) => setMessage(result.message),
  );
  return (
    <AuthFrame title="Reset your password">
      <form onSubmit={submit} noValidate>
        <Field label="Email" type="email" autoComplete="username" required value={email} onChange={(event) => setEmail(event.target.value)} />
        {message && <Notice kind="ok">{message}</Notice>}
        {error && <Notice kind="error">{error.message}</Notice>}
        <button type="submit" className="primary" disabled={busy}>
          Send me a link
        </button>
      </form>
      <p>
        <Link href="/sign-in">Back to sign-in</Link>
      </p>
    </AuthFrame>
  );
}

/** Where the links of reset and invitation emails open: choose a password. */
export function SetPassword({ purpose }: { purpose: 'reset' | 'invitation' }) {
  const token = new URLSearchParams(useSearch()).get('token') ?? '';
  const [password, setPassword] = useState('');
  const [done, setDone] = useState('');
  const { busy, error, submit } = useSubmit(
    () => send<{ message: string }>('POST', purpose === 'reset' ? '/api/v1/password-reset/complete' : '/api/v1/invitations/accept', { token, password }),
    (result) => setDone(result.message),
  );
  return (
    <AuthFrame title={purpose === 'reset' ? 'Choose a new password' : 'Welcome: choose your password'}>
      {done ? (
        <>
          <Notice kind="ok">{done}</Notice>
          <p>
            <Link href="/sign-in">Sign in</Link>
          </p>
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <Field label="New password" type="password" autoComplete="new-password" hint="At least 10 characters" required value={password} onChange={(event) => setPassword(event.target.value)} />
          {error && <Notice kind="error">{error.message}</Notice>}
          <button type="submit" className="primary" disabled={busy || !token}>
            Set password
          </button>
        </form>
      )}
    </AuthFrame>
  );
}

export function ConfirmEmail() {
  const token = new URLSearchParams(useSearch()).get('token') ?? '';
  const [state, setState] = useState<{ ok: boolean; message: string } | null>(null);
  useEffect(() => {
    send<{ message: string }>('POST', '/api/v1/email-confirmation', { token }).then(
      (result) => setState({ ok: true, message: result.message }),
      (error: Error) => setState({ ok: false, message: error.message }),
    );
  }, [token]);
  return (
    <AuthFrame title="Confirm your email">
      {state ? <Notice kind={state.ok ? 'ok' : 'error'}>{state.message}</Notice> : <p role="status">Confirming…</p>}
      <p>
        <Link href="/sign-in">Sign in</Link>
      </p>
    </AuthFrame>
  );
}
