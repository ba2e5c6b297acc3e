import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { type ApiData, getJson, send } from '../api/client.ts';
import { useSession } from '../api/session.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { presetDays } from '../components/DateRange.tsx';
import { Field } from '../components/Field.tsx';
import { PageTitle } from '../components/Layout.tsx';
import { ErrorState, Loading, Notice } from '../components/States.tsx';
import { formatTime } from '../lib/format.ts';
import { latest, useAction } from '../lib/hooks.ts';
import { HasOffersImports } from './HasOffersImports.tsx';

type Network = ApiData<'/api/v1/hasoffers-networks'>[number];
type Reconciliation = ApiData<'/api/v1/hasoffers-networks/{id}/reconciliations', 'post'>;
type Item = Reconciliation['items'][number];
type Cell = Reconciliation['cells']['differing'][number];

const EMPTY_FORM = { name: '', apiUrl: '', networkId: '', networkToken: '', timeZone: 'UTC' };

/** HasOffers networks the ledger syncs into: connect one, link by name, watch the sync, reconcile and repair; and imports of networks brought over. */
export function HasOffersPage() {
  const { network } = useSession();
  const networks = useQuery({ queryKey: ['hasoffers-networks'], queryFn: () => getJson<Network[]>('/api/v1/hasoffers-networks') });
  const [form, setForm] = useState(EMPTY_FORM);
  const connect = useAction(() => send<Network>('POST', '/api/v1/hasoffers-networks', form), [['hasoffers-networks']], (made) => {
    setForm(EMPTY_FORM);
    return `${made.name} is connected. Link its offers and affiliates next.`;
  });
  const linkByName = useAction(
    (id: number) => send<{ linkedNow: { offers: number; partners: number } }>('POST', `/api/v1/hasoffers-networks/${id}/link-by-name`),
    [['hasoffers-networks']],
    (linked) => `Linked by name: ${linked.linkedNow.offers} offer(s) and ${linked.linkedNow.partners} partner(s).`,
  );
  const linkImported = useAction(
    (id: number) => send<{ linkedNow: { offers: number; partners: number } }>('POST', `/api/v1/hasoffers-networks/${id}/link-imported`),
    [['hasoffers-networks']],
    (linked) => `Linked what was imported from it: ${linked.linkedNow.offers} offer(s) and ${linked.linkedNow.partners} partner(s).`,
  );
  const column = createColumnHelper<Network>();
  const columns = [
    column.accessor('name', { header: 'Network' }),
    column.accessor('apiUrl', { header: 'API address' }),
    column.accessor('networkId', { header: 'Network id' }),
    column.accessor('timeZone', { header: 'Time zone' }),
    column.accessor('tokenEnding', { header: 'Key ends', cell: (info) => `…${info.getValue()}` }),
    column.accessor('offersLinked', { header: 'Offers linked' }),
    column.accessor('partnersLinked', { header: 'Partners linked' }),
    column.accessor('createdAt', { header: 'Connected', cell: (info) => formatTime(info.getValue(), network.timeZone) }),
    column.display({
      id: 'actions',
      header: 'Actions',
      cell: ({ row: { original } }) => (
        <>
          <button type="button" onClick={() => linkByName.mutate(original.id)}>
            Link by name <span className="visually-hidden">on {original.name}</span>
          </button>
          <button type="button" onClick={() => linkImported.mutate(original.id)}>
            Link what was imported <span className="visually-hidden">from {original.name}</span>
          </button>
        </>
      ),
    }),
  ];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    connect.mutate(undefined);
  };
  const change = (name: keyof typeof EMPTY_FORM) => (event: { target: { value: string } }) => setForm({ ...form, [name]: event.target.value });
  const message = latest(connect.message, linkByName.message, linkImported.message);
  return (
    <>
      <PageTitle intro="HasOffers (TUNE) networks your ledger syncs into. Each change to a conversion of a linked offer goes out once; a reconciliation compares the two sides.">
        HasOffers networks
      </PageTitle>
      <form onSubmit={submit} className="inline-form" aria-label="Connect a HasOffers network">
        <Field label="Name" required value={form.name} onChange={change('name')} />
        <Field label="API address" required type="url" placeholder="https://api.hasoffers.com" value={form.apiUrl} onChange={change('apiUrl')} />
        <Field label="Network id" required value={form.networkId} onChange={change('networkId')} />
        <Field label="Network API key" required type="password" autoComplete="off" value={form.networkToken} onChange={change('networkToken')} hint="Tried first, kept to call the network, never shown again" />
        <Field label="Its time zone" required value={form.timeZone} onChange={change('timeZone')} />
        <button type="submit" className="primary" disabled={connect.isPending}>
          Connect
        </button>
      </form>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {networks.isPending ? (
        <Loading what="HasOffers networks" />
      ) : networks.isError ? (
        <ErrorState error={networks.error} what="HasOffers networks" />
      ) : (
        <>
          <DataTable caption="HasOffers networks" columns={columns} data={networks.data} request={{ path: '/api/v1/hasoffers-networks' }} csvName="hasoffers-networks.csv" empty="No HasOffers network is connected." />
          {networks.data.map((connected) => (
            <NetworkSync key={connected.id} connected={connected} />
          ))}
        </>
      )}
      <HasOffersImports />
    </>
  );
}

function NetworkSync({ connected }: { connected: Network }) {
  const { network } = useSession();
  const base = `/api/v1/hasoffers-networks/${connected.id}`;
  const state = useQuery({ queryKey: ['hasoffers-sync', connected.id], queryFn: () => getJson<ApiData<'/api/v1/hasoffers-networks/{id}/sync'>>(`${base}/sync`), refetchInterval: 10_000 });
  const yesterday = presetDays('yesterday', network.timeZone, { from: '', to: '' });
  const [days, setDays] = useState({ from: yesterday.from, to: yesterday.to });
  const [shown, setShown] = useState<Reconciliation | null>(null);
  const replay = useAction(() => send<{ replayed: number }>('POST', `${base}/sync/replay`), [['hasoffers-sync', String(connected.id)]], (done) => `${done.replayed} parked conversion(s) queued again.`);
  const run = useAction(() => send<Reconciliation>('POST', `${base}/reconciliations`, days), [], (done) => {
    setShown(done);
    return `Reconciliation ${done.id}: ${done.items.length} conversion(s) and ${done.cells.differing.length} daily total(s) do not match.`;
  });
  const repair = useAction(() => send<{ queued: number }>('POST', `${base}/reconciliations/${shown!.id}/repair`, {}), [['hasoffers-sync']], (done) => `${done.queued} repair(s) queued: the sync sends them now.`);
  const item = createColumnHelper<Item>();
  const itemColumns = [
    item.accessor('class', { header: 'Class' }),
    item.accessor('conversionId', { header: 'Conversion' }),
    item.accessor((row) => row.externalIds.join(' '), { id: 'external', header: 'There' }),
    item.accessor((row) => row.here?.status ?? '', { id: 'statusHere', header: 'Status here' }),
    item.accessor((row) => row.there?.status ?? '', { id: 'statusThere', header: 'Status there' }),
    item.accessor((row) => row.here?.payout ?? '', { id: 'payoutHere', header: 'Payout here' }),
    item.accessor((row) => row.there?.payout ?? '', { id: 'payoutThere', header: 'Payout there' }),
  ];
  const cell = createColumnHelper<Cell>();
  const cellColumns = [
    cell.accessor('day', { header: 'Day there' }),
    cell.accessor('externalOfferId', { header: 'Offer there' }),
    cell.accessor('externalAffiliateId', { header: 'Affiliate there' }),
    cell.accessor((row) => row.here.conversions, { id: 'conversionsHere', header: 'Conversions here' }),
    cell.accessor((row) => row.there.conversions, { id: 'conversionsThere', header: 'Conversions there' }),
    cell.accessor((row) => row.here.payout, { id: 'payoutHere', header: 'Payout here' }),
    cell.accessor((row) => row.there.payout, { id: 'payoutThere', header: 'Payout there' }),
    cell.accessor((row) => row.here.revenue, { id: 'revenueHere', header: 'Revenue here' }),
    cell.accessor((row) => row.there.revenue, { id: 'revenueThere', header: 'Revenue there' }),
  ];
  const message = latest(replay.message, run.message, repair.message);
  return (
    <section className="list-section" aria-label={`Sync with ${connected.name}`}>
      <h2>Sync with {connected.name}</h2>
      {state.isSuccess && (
        <dl className="facts" aria-label={`Sync state of ${connected.name}`}>
          {[
            ['Waiting to go out', state.data.queued],
            ['Parked', state.data.parked],
            ['Synced', state.data.synced],
            ['Behind the ledger', `${state.data.behindSeconds} s`],
            ...(state.data.lastError ? [['Last error', state.data.lastError]] : []),
          ].map(([term, value]) => (
            <div key={String(term)}>
              <dt>{term}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
      {state.data && state.data.parked > 0 && (
        <button type="button" onClick={() => replay.mutate(undefined)}>
          Send the parked ones again
        </button>
      )}
      <form
        className="inline-form"
        aria-label={`Reconcile with ${connected.name}`}
        onSubmit={(event) => {
          event.preventDefault();
          run.mutate(undefined);
        }}
      >
        <Field label="From" type="date" required value={days.from} onChange={(event) => setDays({ ...days, from: event.target.value })} />
        <Field label="To" type="date" required value={days.to} onChange={(event) => setDays({ ...days, to: event.target.value })} />
        <button type="submit" disabled={run.isPending}>
          Reconcile
        </button>
      </form>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {shown && (
        <>
          <table aria-label={`Reconciliation ${shown.id} by class`}>
            <thead>
              <tr>
                <th scope="col">Class</th>
                <th scope="col">Conversions</th>
                <th scope="col">Payout</th>
                <th scope="col">Revenue</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(shown.totals).map(([kind, total]) => (
                <tr key={kind}>
                  <th scope="row">{kind.replaceAll('_', ' ')}</th>
                  <td>{total.count}</td>
                  <td>{total.payout}</td>
                  <td>{total.revenue}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown.items.length > 0 && (
            <button type="button" className="primary" disabled={repair.isPending} onClick={() => repair.mutate(undefined)}>
              Repair what can be repaired
            </button>
          )}
          <DataTable
            caption={`Reconciliation ${shown.id}: what does not match`}
            columns={itemColumns}
            data={shown.items}
            request={{ path: `${base}/reconciliations/${shown.id}`, query: { format: 'csv' } }}
            csvName={`reconciliation-${shown.id}.csv`}
            empty="Everything matches."
          />
          <DataTable
            caption={`Reconciliation ${shown.id}: daily totals by offer and affiliate that differ (${shown.cells.differing.length} of ${shown.cells.compared})`}
            columns={cellColumns}
            data={shown.cells.differing}
            request={{ path: `${base}/reconciliations/${shown.id}` }}
            csvName={`reconciliation-${shown.id}-daily-totals.csv`}
            empty="Every day's totals match."
          />
        </>
      )}
    </section>
  );
}
