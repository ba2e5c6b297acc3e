import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { type ApiData, getJson, send } from '../api/client.ts';
import { useSession } from '../api/session.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { Field, Select } from '../components/Field.tsx';
import { PageTitle, ROLE_NAMES } from '../components/Layout.tsx';
import { ErrorState, Loading, Notice } from '../components/States.tsx';
import { latest, useAction } from '../lib/hooks.ts';

type User = ApiData<'/api/v1/users'>[number];

export function UsersPage() {
  const { user: me } = useSession();
  const query = useQuery({ queryKey: ['users'], queryFn: () => getJson<User[]>('/api/v1/users') });
  const network = me.role === 'network_admin';
  const [form, setForm] = useState({ email: '', name: '', role: network ? 'partner' : me.role, accountId: '' });
  const accountField = { advertiser: 'advertiserId', partner: 'partnerId', agency: 'agencyId', network_admin: null } as const;
  const invite = useAction(
    () => {
      const field = accountField[form.role as keyof typeof accountField];
      const accountId = network ? Number(form.accountId) : (me.advertiserId ?? me.partnerId ?? me.agencyId);
      return send<User>('POST', '/api/v1/users', { email: form.email, name: form.name, role: form.role, ...(field ? { [field]: accountId } : {}) });
    },
    [['users']],
    (user) => `${user.email} is invited: an email with a link to set a password is on its way.`,
  );
  const update = useAction(({ id, changes }: { id: number; changes: Record<string, unknown> }) => send('PATCH', `/api/v1/users/${id}`, changes), [['users']], () => 'Saved.');
  const column = createColumnHelper<User>();
  const columns = [
    column.accessor('name', { header: 'Name' }),
    column.accessor('email', { header: 'Email' }),
    column.accessor((row) => ROLE_NAMES[row.role], { id: 'role', header: 'Role' }),
    column.accessor((row) => row.advertiserId ?? row.partnerId ?? row.agencyId ?? '', { id: 'account', header: 'Account' }),
    column.accessor((row) => (row.hasPassword ? row.status : 'invited'), { id: 'status', header: 'Status' }),
    column.accessor((row) => (row.twoFactor ? 'On' : 'Off'), { id: 'twoFactor', header: 'Two-factor' }),
    column.accessor((row) => (row.apiAccess ? 'Yes' : 'No'), { id: 'api', header: 'API access' }),
    column.display({
      id: 'actions',
      header: 'Actions',
      cell: ({ row: { original } }) =>
        original.id === me.id ? null : (
          <button type="button" onClick={() => update.mutate({ id: original.id, changes: { status: original.status === 'active' ? 'disabled' : 'active' } })}>
            {original.status === 'active' ? 'Deactivate' : 'Reactivate'} <span className="visually-hidden">{original.email}</span>
          </button>
        ),
    }),
  ];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    invite.mutate(undefined);
  };
  const message = latest(invite.message, update.message);
  return (
    <>
      <PageTitle intro={network ? 'Everyone who signs in, of every account.' : 'The people of your account.'}>Users</PageTitle>
      <form onSubmit={submit} className="inline-form" aria-label="Invite a user">
        <Field label="Email" type="email" required value={form.email} onChange={(event) => setForm({ ...form, email: event.target.value })} />
        <Field label="Name" required value={form.name} onChange={(event) => setForm({ ...form, name: event.target.value })} />
        {network && (
          <>
            <Select label="Role" value={form.role} onChange={(event) => setForm({ ...form, role: event.target.value as typeof form.role })} options={Object.entries(ROLE_NAMES).map(([value, label]) => ({ value, label }))} />
            {form.role !== 'network_admin' && <Field label="Account id" inputMode="numeric" required value={form.accountId} onChange={(event) => setForm({ ...form, accountId: event.target.value })} />}
          </>
        )}
        <button type="submit" className="primary">
          Invite
        </button>
      </form>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {query.isPending ? <Loading what="users" /> : query.isError ? <ErrorState error={query.error} what="users" /> : <DataTable caption="Users" columns={columns} data={query.data} request={{ path: '/api/v1/users' }} csvName="users.csv" empty="No users." />}
    </>
  );
}
