import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { type ApiData, getJson, send } from '../api/client.ts';
import { useSession } from '../api/session.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { Field } from '../components/Field.tsx';
import { ErrorState, Loading, Notice } from '../components/States.tsx';
import { formatTime } from '../lib/format.ts';
import { useAction } from '../lib/hooks.ts';

type Import = ApiData<'/api/v1/hasoffers-imports'>[number];
type Problem = Import['problems'][number];

const total = (counts: Import['counts'], outcome: 'created' | 'updated' | 'unchanged') => Object.values(counts).reduce((sum, count) => sum + count[outcome], 0);

/** Bringing a HasOffers network over: start an import, watch it run, and read what could not come. */
export function HasOffersImports() {
  const { network } = useSession();
  const empty = { apiUrl: '', networkId: '', networkToken: '', from: '', to: '', timeZone: network.timeZone, trackingHost: '' };
  const [form, setForm] = useState(empty);
  const imports = useQuery({
    queryKey: ['hasoffers-imports'],
    queryFn: () => getJson<Import[]>('/api/v1/hasoffers-imports'),
    refetchInterval: (query) => (query.state.data?.some((run) => run.status === 'running') ? 1_000 : false),
  });
  // Only what was filled in is sent: the days and the tracking domain are optional.
  const body = () => Object.fromEntries(Object.entries(form).filter(([, value]) => value.trim() !== ''));
  const start = useAction(() => send<Import>('POST', '/api/v1/hasoffers-imports', body()), [['hasoffers-imports']], (begun) => {
    setForm(empty);
    return `Import ${begun.id} is running. Its counts and problems show below when it ends.`;
  });
  const change = (name: keyof typeof empty) => (event: { target: { value: string } }) => setForm({ ...form, [name]: event.target.value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    start.mutate(undefined);
  };
  const column = createColumnHelper<Import>();
  const columns = [
    column.accessor('id', { header: 'Import' }),
    column.accessor((run) => `${run.networkId} at ${run.apiUrl}`, { id: 'source', header: 'From' }),
    column.accessor((run) => (run.from ? `${run.from} to ${run.to}` : 'none'), { id: 'days', header: 'Days' }),
    column.accessor('status', { header: 'Status', cell: (info) => (info.row.original.error ? `${info.getValue()}: ${info.row.original.error}` : info.getValue()) }),
    column.accessor((run) => total(run.counts, 'created'), { id: 'created', header: 'Created' }),
    column.accessor((run) => total(run.counts, 'updated'), { id: 'updated', header: 'Updated' }),
    column.accessor((run) => total(run.counts, 'unchanged'), { id: 'unchanged', header: 'Unchanged' }),
    column.accessor((run) => run.problems.length, { id: 'problems', header: 'Not brought over' }),
    column.accessor('startedAt', { header: 'Started', cell: (info) => formatTime(info.getValue(), network.timeZone) }),
  ];
  const problem = createColumnHelper<Problem>();
  const problemColumns = [problem.accessor('kind', { header: 'Kind' }), problem.accessor('externalId', { header: 'Id there' }), problem.accessor('reason', { header: 'Why' })];
  const newest = imports.data?.[0];
  return (
    <section className="list-section" aria-label="Import a HasOffers network">
      <h2>Import a HasOffers network</h2>
      <p>
        Brings advertisers, affiliates, offers with their goals, caps and landing pages, approvals, and the conversions and daily clicks of the days you name. Run it
        again at any time: it updates what changed and makes nothing twice.
      </p>
      <form onSubmit={submit} className="inline-form" aria-label="Start an import">
        <Field label="Its API address" required type="url" placeholder="https://api.hasoffers.com" value={form.apiUrl} onChange={change('apiUrl')} />
        <Field label="Its network id" required value={form.networkId} onChange={change('networkId')} />
        <Field label="Its network API key" required type="password" autoComplete="off" value={form.networkToken} onChange={change('networkToken')} hint="Used for this import, not kept" />
        <Field label="Conversions from" type="date" value={form.from} onChange={change('from')} />
        <Field label="Conversions to" type="date" value={form.to} onChange={change('to')} />
        <Field label="Its time zone" required value={form.timeZone} onChange={change('timeZone')} />
        <Field label="Its tracking domain" placeholder="track.oldnetwork.com" value={form.trackingHost} onChange={change('trackingHost')} hint="Once pointed here, partners' links on it keep working" />
        <button type="submit" className="primary" disabled={start.isPending}>
          Import
        </button>
      </form>
      {start.message && <Notice kind={start.message.kind}>{start.message.text}</Notice>}
      {imports.isPending ? (
        <Loading what="imports" />
      ) : imports.isError ? (
        <ErrorState error={imports.error} what="imports" />
      ) : (
        <>
          <DataTable caption="Imports" columns={columns} data={imports.data} request={{ path: '/api/v1/hasoffers-imports' }} csvName="hasoffers-imports.csv" empty="Nothing was imported yet." />
          {newest && newest.status !== 'running' && (
            <DataTable
              caption={`Import ${newest.id}: what could not come over`}
              columns={problemColumns}
              data={newest.problems}
              request={{ path: `/api/v1/hasoffers-imports/${newest.id}` }}
              csvName={`hasoffers-import-${newest.id}-problems.csv`}
              empty={`Import ${newest.id} brought everything over.`}
            />
          )}
        </>
      )}
    </section>
  );
}
