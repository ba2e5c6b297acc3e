import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { type ApiData, getJson, send } from '../api/client.ts';
import { useSession } from '../api/session.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { Field } from '../components/Field.tsx';
import { PageTitle } from '../components/Layout.tsx';
import { ErrorState, Loading, Notice } from '../components/States.tsx';
import { latest, useAction } from '../lib/hooks.ts';

type Advertiser = ApiData<'/api/v1/advertisers/{id}'>;
type Agency = ApiData<'/api/v1/agencies'>[number];

export function AdvertisersPage() {
  const { user } = useSession();
  const advertisers = useQuery({ queryKey: ['advertisers'], queryFn: () => getJson<{ items: Advertiser[] }>('/api/v1/advertisers', { perPage: 500 }) });
  const agencies = useQuery({ queryKey: ['agencies'], queryFn: () => getJson<Agency[]>('/api/v1/agencies'), enabled: user.role === 'network_admin' });
  const [form, setForm] = useState({ name: '', businessUrl: '' });
  const [agencyName, setAgencyName] = useState('');
  const create = useAction(() => send('POST', '/api/v1/advertisers', form), [['advertisers']], () => 'The advertiser is added. Invite its people on the Users page.');
  const update = useAction(({ id, changes }: { id: number; changes: Record<string, unknown> }) => send('PATCH', `/api/v1/advertisers/${id}`, changes), [['advertisers']], () => 'Saved.');
  const addAgency = useAction(() => send('POST', '/api/v1/agencies', { name: agencyName }), [['agencies']], () => 'The agency is added.');
  const column = createColumnHelper<Advertiser>();
  const columns = [
    column.accessor('id', { header: 'ID' }),
    column.accessor('name', { header: 'Advertiser' }),
    column.accessor('businessUrl', { header: 'Website' }),
    column.accessor('agencyId', { header: 'Agency' }),
    column.accessor('status', { header: 'Status' }),
    ...(user.role === 'network_admin'
      ? [
          column.display({
            id: 'actions',
            header: 'Actions',
            cell: ({ row: { original } }) => (
              <button type="button" onClick={() => update.mutate({ id: original.id, changes: { status: original.status === 'active' ? 'paused' : 'active' } })}>
                {original.status === 'active' ? 'Deactivate' : 'Reactivate'} <span className="visually-hidden">{original.name}</span>
              </button>
            ),
          }),
        ]
      : []),
  ];
  const agencyColumn = createColumnHelper<Agency>();
  const agencyColumns = [agencyColumn.accessor('id', { header: 'ID' }), agencyColumn.accessor('name', { header: 'Agency' }), agencyColumn.accessor('advertisers', { header: 'Advertisers' })];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(undefined);
  };
  const message = latest(create.message, update.message, addAgency.message);
  return (
    <>
      <PageTitle intro="Advertisers and the agencies that manage them.">Advertisers and agencies</PageTitle>
      <form onSubmit={submit} className="inline-form" aria-label="Add an advertiser">
        <Field label="Advertiser name" required value={form.name} onChange={(event) => setForm({ ...form, name: event.target.value })} />
        <Field label="Website" type="url" value={form.businessUrl} onChange={(event) => setForm({ ...form, businessUrl: event.target.value })} />
        <button type="submit" className="primary">
          Add advertiser
        </button>
      </form>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {advertisers.isPending ? (
        <Loading what="advertisers" />
      ) : advertisers.isError ? (
        <ErrorState error={advertisers.error} what="advertisers" />
      ) : (
        <DataTable caption="Advertisers" columns={columns} data={advertisers.data.items} request={{ path: '/api/v1/advertisers' }} csvName="advertisers.csv" empty="No advertisers yet." />
      )}
      {user.role === 'network_admin' && (
        <section aria-label="Agencies" className="list-section">
          <h2>Agencies</h2>
          <form
            className="inline-form"
            aria-label="Add an agency"
            onSubmit={(event) => {
              event.preventDefault();
              addAgency.mutate(undefined);
            }}
          >
            <Field label="Agency name" value={agencyName} onChange={(event) => setAgencyName(event.target.value)} />
            <button type="submit">Add agency</button>
          </form>
          {agencies.isSuccess && <DataTable caption="Agencies" columns={agencyColumns} data={agencies.data} request={{ path: '/api/v1/agencies' }} csvName="agencies.csv" empty="No agencies." />}
        </section>
      )}
    </>
  );
}
