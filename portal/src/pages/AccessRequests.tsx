import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { type ApiData, getJson, send } from '../api/client.ts';
import { useSession } from '../api/session.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { PageTitle } from '../components/Layout.tsx';
import { ErrorState, Loading, Notice } from '../components/States.tsx';
import { formatTime } from '../lib/format.ts';
import { useAction } from '../lib/hooks.ts';

type AccessRequest = ApiData<'/api/v1/api-access-requests'>[number];

export function AccessRequestsPage() {
  const { network } = useSession();
  const query = useQuery({ queryKey: ['access-requests'], queryFn: () => getJson<AccessRequest[]>('/api/v1/api-access-requests') });
  const decide = useAction(({ id, approve }: { id: number; approve: boolean }) => send('POST', `/api/v1/api-access-requests/${id}/${approve ? 'approve' : 'reject'}`, {}), [['access-requests']], (_r, { approve }) => (approve ? 'API access granted.' : 'API access refused.'));
  const column = createColumnHelper<AccessRequest>();
  const columns = [
    column.accessor('email', { header: 'Who' }),
    column.accessor('role', { header: 'Role' }),
    column.accessor('useCase', { header: 'What for' }),
    column.accessor('status', { header: 'Status' }),
    column.accessor('createdAt', { header: 'Asked', cell: (info) => formatTime(info.getValue(), network.timeZone) }),
    column.display({
      id: 'actions',
      header: 'Decide',
      cell: ({ row: { original } }) =>
        original.status === 'pending' ? (
          <div className="row-actions">
            <button type="button" onClick={() => decide.mutate({ id: original.id, approve: true })}>
              Grant <span className="visually-hidden">{original.email}</span>
            </button>
            <button type="button" onClick={() => decide.mutate({ id: original.id, approve: false })}>
              Refuse <span className="visually-hidden">{original.email}</span>
            </button>
          </div>
        ) : null,
    }),
  ];
  return (
    <>
      <PageTitle intro="Accounts ask for API access, saying what for. Once granted, they make their own keys.">API access requests</PageTitle>
      {decide.message && <Notice kind={decide.message.kind}>{decide.message.text}</Notice>}
      {query.isPending ? <Loading what="requests" /> : query.isError ? <ErrorState error={query.error} what="requests" /> : <DataTable caption="API access requests" columns={columns} data={query.data} request={{ path: '/api/v1/api-access-requests' }} csvName="api-access.csv" empty="No requests." />}
    </>
  );
}
