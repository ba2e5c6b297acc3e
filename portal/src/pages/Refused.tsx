import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { getJson } from '../api/client.ts';
import { useSession } from '../api/session.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { DateRange, presetDays, type Preset } from '../components/DateRange.tsx';
import { PageTitle } from '../components/Layout.tsx';
import { ErrorState, Loading } from '../components/States.tsx';
import { formatTime, titleCase } from '../lib/format.ts';
import { useUrlState } from '../lib/url-state.ts';

type Row = Record<string, string | number | null>;
const DEFAULTS = { preset: 'last7', from: '', to: '' };

export function RefusedPage() {
  const { user, network } = useSession();
  const [state, setState] = useUrlState(DEFAULTS);
  const range = presetDays(state.preset as Preset, network.timeZone, { from: state.from, to: state.to });
  const clicks = useQuery({ queryKey: ['refused-clicks', range], queryFn: () => getJson<{ rows: Row[] }>('/api/v1/reports/refused-clicks', { ...range, limit: 1000 }) });
  const conversions = useQuery({
    queryKey: ['refused-conversions'],
    queryFn: () => getJson<{ refused: Row[] }>('/api/v1/refused-conversions', { limit: 500 }),
    enabled: user.role !== 'partner',
  });
  const column = createColumnHelper<Row>();
  const clickColumns = ['date', 'offerId', 'partnerId', 'outcome', 'subId', 'clicks'].map((name) =>
    column.accessor((row) => (name === 'outcome' ? titleCase(String(row[name] ?? '')) : row[name]), { id: name, header: titleCase(name) }),
  );
  const conversionColumns = [
    column.accessor((row) => formatTime(String(row.createdAt ?? ''), network.timeZone), { id: 'at', header: 'When' }),
    ...['statusCode', 'reason', 'offerId', 'transactionId', 'channel'].map((name) => column.accessor((row) => row[name] ?? '', { id: name, header: titleCase(name) })),
  ];
  return (
    <>
      <PageTitle intro="What was not counted, and why: a missing click or conversion is explained here.">Refused clicks and conversions</PageTitle>
      <DateRange preset={state.preset as Preset} from={range.from} to={range.to} onChange={(change) => setState(change)} />
      <h2>Refused clicks</h2>
      {clicks.isPending ? (
        <Loading what="refused clicks" />
      ) : clicks.isError ? (
        <ErrorState error={clicks.error} what="refused clicks" />
      ) : (
        <DataTable caption="Refused clicks" columns={clickColumns} data={clicks.data.rows} request={{ path: '/api/v1/reports/refused-clicks', query: range }} csvName="refused-clicks.csv" empty="No click was refused in these days." />
      )}
      {user.role !== 'partner' && (
        <>
          <h2>Refused conversions: why is my conversion missing?</h2>
          {conversions.isPending ? (
            <Loading what="refused conversions" />
          ) : conversions.isError ? (
            <ErrorState error={conversions.error} what="refused conversions" />
          ) : (
            <DataTable caption="Refused conversions" columns={conversionColumns} data={conversions.data.refused} request={{ path: '/api/v1/refused-conversions' }} csvName="refused-conversions.csv" empty="No conversion request was refused." />
          )}
        </>
      )}
    </>
  );
}
