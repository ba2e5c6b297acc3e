import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { type ApiData, getJson } from '../api/client.ts';
import { useSession } from '../api/session.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { Select } from '../components/Field.tsx';
import { PageTitle } from '../components/Layout.tsx';
import { ErrorState, Loading } from '../components/States.tsx';
import { formatTime } from '../lib/format.ts';
import { useUrlState } from '../lib/url-state.ts';

type Entry = ApiData<'/api/v1/audit-log'>['entries'][number];

const ENTITIES = ['', 'session', 'offers', 'goals', 'caps', 'payout_overrides', 'revenue_overrides', 'approvals', 'partners', 'advertisers', 'users', 'api_keys', 'network', 'partner_postbacks'];
const DEFAULTS = { entity: '' };

/** What changed between two rows, field by field. */
function changes(entry: Entry): string {
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
  return fields.map((field) => `${field}: ${JSON.stringify(before[field] ?? null)} → ${JSON.stringify(after[field] ?? null)}`).join('; ');
}

export function AuditPage() {
  const { network } = useSession();
  const [state, setState] = useUrlState(DEFAULTS);
  const query = useQuery({ queryKey: ['audit', state.entity], queryFn: () => getJson<{ entries: Entry[] }>('/api/v1/audit-log', { entity: state.entity || undefined, limit: 500 }) });
  const column = createColumnHelper<Entry>();
  const columns = [
    column.accessor('at', { header: 'When', cell: (info) => formatTime(info.getValue(), network.timeZone) }),
    column.accessor((row) => (row.actorUserId ? `user ${row.actorUserId} (${row.actorRole})` : 'system'), { id: 'who', header: 'Who' }),
    column.accessor('address', { header: 'From' }),
    column.accessor('action', { header: 'Action' }),
    column.accessor((row) => `${row.entity} ${row.entityId ?? ''}`, { id: 'what', header: 'What' }),
    column.accessor(changes, { id: 'changes', header: 'Before → after' }),
  ];
  return (
    <>
      <PageTitle intro="Sign-ins and every change to offers, terms, approvals, accounts, users, keys and settings.">Audit log</PageTitle>
      <Select label="Kind of change" value={state.entity} onChange={(event) => setState({ entity: event.target.value })} options={ENTITIES.map((value) => ({ value, label: value || 'Every kind' }))} />
      {query.isPending ? (
        <Loading what="the audit log" />
      ) : query.isError ? (
        <ErrorState error={query.error} what="the audit log" />
      ) : (
        <DataTable caption="Audit log" columns={columns} data={query.data.entries} request={{ path: '/api/v1/audit-log', query: { entity: state.entity || undefined } }} csvName="audit-log.csv" empty="Nothing recorded yet." />
      )}
    </>
  );
}
