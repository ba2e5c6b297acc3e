import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { type ApiData, getJson, send } from '../api/client.ts';
import { useSession } from '../api/session.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { Field, TextArea } from '../components/Field.tsx';
import { PageTitle } from '../components/Layout.tsx';
import { ErrorState, Loading, Notice } from '../components/States.tsx';
import { formatTime } from '../lib/format.ts';
import { latest, useAction } from '../lib/hooks.ts';

type Key = ApiData<'/api/v1/keys'>[number];

export function AccountPage() {
  const { user, network } = useSession();
  const keys = useQuery({ queryKey: ['keys'], queryFn: () => getJson<Key[]>('/api/v1/keys') });
  const requests = useQuery({ queryKey: ['access-requests'], queryFn: () => getJson<Array<{ id: number; status: string; useCase: string; reason: string | null }>>('/api/v1/api-access-requests') });
  const me = useQuery({ queryKey: ['me'], queryFn: () => getJson<{ user: { apiAccess: boolean; twoFactor: boolean } }>('/api/v1/session') });
  const [shown, setShown] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [useCase, setUseCase] = useState('');
  const create = useAction(() => send<{ key: string }>('POST', '/api/v1/keys', { name: name || 'default' }), [['keys']], () => 'Your key is made. Copy it now: it is shown only once.');
  const refresh = useAction((id: number) => send<{ key: string }>('POST', `/api/v1/keys/${id}/refresh`, {}), [['keys']], () => 'The key is replaced; the old one has stopped working. Copy the new one now.');
  const revoke = useAction((id: number) => send('DELETE', `/api/v1/keys/${id}`), [['keys']], () => 'The key is revoked: it stopped working at once.');
  const ask = useAction(() => send('POST', '/api/v1/api-access-requests', { useCase }), [['access-requests']], () => 'Your request is sent to the network.');
  const column = createColumnHelper<Key>();
  const columns = [
    column.accessor('name', { header: 'Name' }),
    column.accessor('prefix', { header: 'Starts with' }),
    column.accessor('createdAt', { header: 'Created', cell: (info) => formatTime(info.getValue(), network.timeZone) }),
    column.accessor('lastUsedAt', { header: 'Last used', cell: (info) => formatTime(info.getValue(), network.timeZone) }),
    column.accessor((row) => (row.revokedAt ? 'Revoked' : 'Active'), { id: 'status', header: 'Status' }),
    column.display({
      id: 'actions',
      header: 'Actions',
      cell: ({ row: { original } }) =>
        original.revokedAt ? null : (
          <div className="row-actions">
            <button type="button" onClick={() => refresh.mutate(original.id, { onSuccess: (result) => setShown(result.key) })}>
              Refresh <span className="visually-hidden">key {original.name}</span>
            </button>
            <button type="button" onClick={() => revoke.mutate(original.id)}>
              Revoke <span className="visually-hidden">key {original.name}</span>
            </button>
          </div>
        ),
    }),
  ];
  const message = latest(create.message, refresh.message, revoke.message, ask.message);
  const hasAccess = me.data?.user.apiAccess ?? false;
  return (
    <>
      <PageTitle intro={`${user.name} · ${user.email}`}>Account</PageTitle>
      <section aria-label="API keys" className="list-section">
        <h2>API keys</h2>
        <p>Scripts use a key in the X-API-KEY header; every table here shows the call it makes.</p>
        {message && <Notice kind={message.kind}>{message.text}</Notice>}
        {shown && (
          <Field label="Your new key (shown once)" readOnly value={shown} onFocus={(event) => event.target.select()} data-testid="new-key" />
        )}
        {hasAccess ? (
          <form
            className="inline-form"
            aria-label="Make a key"
            onSubmit={(event) => {
              event.preventDefault();
              create.mutate(undefined, { onSuccess: (result) => setShown(result.key) });
            }}
          >
            <Field label="Key name" value={name} onChange={(event) => setName(event.target.value)} />
            <button type="submit" className="primary">
              Make a key
            </button>
          </form>
        ) : (
          <form
            className="inline-form"
            aria-label="Ask for API access"
            onSubmit={(event) => {
              event.preventDefault();
              ask.mutate(undefined);
            }}
          >
            <TextArea label="What will you use the API for?" required value={useCase} onChange={(event) => setUseCase(event.target.value)} />
            <button type="submit" className="primary">
              Ask for API access
            </button>
            {requests.data?.map((request) => (
              <p key={request.id}>
                Request {request.id}: {request.status}
                {request.reason ? ` (${request.reason})` : ''}
              </p>
            ))}
          </form>
        )}
        {keys.isPending ? <Loading what="your keys" /> : keys.isError ? <ErrorState error={keys.error} what="your keys" /> : <DataTable caption="API keys" columns={columns} data={keys.data} request={{ path: '/api/v1/keys' }} csvName="keys.csv" empty="No keys yet." />}
      </section>
      <PasswordSection />
      <TwoFactorSection on={me.data?.user.twoFactor ?? false} />
      <SignOutEverywhere />
    </>
  );
}

function PasswordSection() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const change = useAction(() => send<{ message: string }>('POST', '/api/v1/me/password', { currentPassword: current, newPassword: next }), [], (result) => result.message);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate(undefined);
  };
  return (
    <section aria-label="Password" className="list-section">
      <h2>Password</h2>
      <form onSubmit={submit} className="inline-form" aria-label="Change your password">
        <Field label="Current password" type="password" autoComplete="current-password" value={current} onChange={(event) => setCurrent(event.target.value)} />
        <Field label="New password" type="password" autoComplete="new-password" value={next} onChange={(event) => setNext(event.target.value)} hint="At least 10 characters" />
        <button type="submit">Change password</button>
      </form>
      {change.message && <Notice kind={change.message.kind}>{change.message.text}</Notice>}
    </section>
  );
}

function TwoFactorSection({ on }: { on: boolean }) {
  const [enrolment, setEnrolment] = useState<{ secret: string; uri: string } | null>(null);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [codes, setCodes] = useState<string[]>([]);
  const begin = useAction(() => send<{ secret: string; uri: string }>('POST', '/api/v1/me/two-factor', {}), []);
  const confirm = useAction(() => send<{ recoveryCodes: string[] }>('POST', '/api/v1/me/two-factor/confirm', { code }), [['me']], () => 'Two-factor sign-in is on.');
  const off = useAction(() => send('DELETE', '/api/v1/me/two-factor', { password }), [['me']], () => 'Two-factor sign-in is off.');
  const message = latest(begin.message, confirm.message, off.message);
  return (
    <section aria-label="Two-factor sign-in" className="list-section">
      <h2>Two-factor sign-in</h2>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {codes.length > 0 && (
        <div>
          <p>Your recovery codes (each works once; keep them somewhere safe):</p>
          <ul className="codes" data-testid="recovery-codes">
            {codes.map((item) => (
              <li key={item}>
                <code>{item}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      {on ? (
        <form
          className="inline-form"
          aria-label="Turn off two-factor sign-in"
          onSubmit={(event) => {
            event.preventDefault();
            off.mutate(undefined);
          }}
        >
          <p>Two-factor sign-in is on.</p>
          <Field label="Your password" type="password" value={password} onChange={(event) => setPassword(event.target.value)} />
          <button type="submit">Turn off</button>
        </form>
      ) : enrolment ? (
        <form
          className="inline-form"
          aria-label="Confirm two-factor sign-in"
          onSubmit={(event) => {
            event.preventDefault();
            confirm.mutate(undefined, { onSuccess: (result) => (setCodes(result.recoveryCodes), setEnrolment(null)) });
          }}
        >
          <p>
            Add this key to your authenticator app: <code data-testid="totp-secret">{enrolment.secret}</code>
          </p>
          <p>
            Or open <a href={enrolment.uri}>this link</a> on your phone.
          </p>
          <Field label="Code from the app" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(event) => setCode(event.target.value)} />
          <button type="submit" className="primary">
            Turn on
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => begin.mutate(undefined, { onSuccess: setEnrolment })}>
          Set up two-factor sign-in
        </button>
      )}
    </section>
  );
}

function SignOutEverywhere() {
  const client = useQueryClient();
  const run = async () => {
    await send('POST', '/api/v1/session/sign-out-everywhere', {});
    client.clear();
    window.location.assign('/sign-in');
  };
  return (
    <section aria-label="Sessions" className="list-section">
      <h2>Sessions</h2>
      <button type="button" className="danger" onClick={() => void run()}>
        Sign out everywhere
      </button>
    </section>
  );
}
