import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { type ApiData, getJson, send } from '../api/client.ts';
import { useSession } from '../api/session.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { PageTitle } from '../components/Layout.tsx';
import { ErrorState, Loading, Notice } from '../components/States.tsx';
import { formatTime, titleCase } from '../lib/format.ts';
import { useAction } from '../lib/hooks.ts';

type Notification = ApiData<'/api/v1/notifications'>[number];

export function NotificationsPage() {
  const { network } = useSession();
  const query = useQuery({ queryKey: ['notifications'], queryFn: () => getJson<Notification[]>('/api/v1/notifications', { limit: 200 }) });
  const markRead = useAction((upTo: string) => send('POST', '/api/v1/notifications/read', { upTo }), [['notifications']], () => 'Marked as read.');
  const column = createColumnHelper<Notification>();
  const columns = [
    column.accessor('createdAt', { header: 'When', cell: (info) => formatTime(info.getValue(), network.timeZone) }),
    column.accessor((row) => titleCase(row.kind), { id: 'kind', header: 'Kind' }),
    column.accessor('message', { header: 'Message' }),
    column.accessor((row) => (row.readAt ? 'Read' : 'New'), { id: 'read', header: 'Read' }),
  ];
  const newest = query.data?.[0];
  return (
    <>
      <PageTitle intro="News about your offers, caps, budgets, postbacks and applications.">Notifications</PageTitle>
      {newest && (
        <button type="button" onClick={() => markRead.mutate(newest.id)}>
          Mark all as read
        </button>
      )}
      {markRead.message && <Notice kind={markRead.message.kind}>{markRead.message.text}</Notice>}
      {query.isPending ? (
        <Loading what="notifications" />
      ) : query.isError ? (
        <ErrorState error={query.error} what="notifications" />
      ) : (
        <DataTable caption="Notifications" columns={columns} data={query.data} request={{ path: '/api/v1/notifications' }} csvName="notifications.csv" empty="No notifications." />
      )}
    </>
  );
}
