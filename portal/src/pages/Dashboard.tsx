import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo } from 'react';
import { Link } from 'wouter';
import { getJson } from '../api/client.ts';
import { useSession } from '../api/session.tsx';
import { LineChart } from '../components/Chart.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { PageTitle } from '../components/Layout.tsx';
import { ErrorState, Loading } from '../components/States.tsx';
import { formatCount, formatMoney, titleCase } from '../lib/format.ts';
import { useUrlState } from '../lib/url-state.ts';

type Row = Record<string, string | number | null>;
interface Dashboard {
  timeZone: string;
  today: string;
  metrics: string[];
  periods: Record<'today' | 'yesterday' | 'thisMonth' | 'lastMonth', Row[]>;
  series: Row[];
  topOffersPeriod: 'today' | 'thisMonth';
  topOffers: Row[];
  attention: Record<string, number>;
}

const PERIODS = [
  ['today', 'Today'],
  ['yesterday', 'Yesterday'],
  ['thisMonth', 'This month'],
  ['lastMonth', 'Last month'],
] as const;
const MONEY = new Set(['payout', 'revenue', 'profit', 'pending_payout', 'pending_revenue', 'epc']);
const METRIC_NAMES: Record<string, string> = {
  clicks: 'Clicks',
  conversions: 'Approved conversions',
  pending_conversions: 'Pending conversions',
  payout: 'Partner payouts',
  pending_payout: 'Partner payouts (pending)',
  revenue: 'Revenue',
  pending_revenue: 'Revenue (pending)',
  profit: 'Profit',
  epc: 'EPC',
};
const PARTNER_NAMES: Record<string, string> = { payout: 'Earnings (approved)', pending_payout: 'Earnings (pending)' };
const ATTENTION: Record<string, { label: string; href: string }> = {
  conversionsToReview: { label: 'Conversions to review', href: '/conversions?status=pending' },
  offerApplications: { label: 'Offer applications waiting', href: '/applications' },
  partnerSignUps: { label: 'Partner sign-ups waiting', href: '/partners?tab=applications' },
  parkedPostbacks: { label: 'Parked postbacks', href: '/postbacks' },
  limitAlerts: { label: 'Caps or budgets nearly reached (last day)', href: '/notifications' },
  apiAccessRequests: { label: 'API access requests', href: '/access-requests' },
  hasOffersSyncParked: { label: 'Conversions the HasOffers sync parked', href: '/hasoffers' },
  hasOffersSyncBehind: { label: 'Changes waiting over 10 minutes to reach HasOffers', href: '/hasoffers' },
  pendingApplications: { label: 'Your applications waiting', href: '/marketplace?status=available' },
};

const DEFAULTS = { series: 'day' };
/** The API counts what waits up to this many, and one more. */
const ATTENTION_LIMIT = 1000;

export function DashboardPage() {
  const { user, network } = useSession();
  const [state, setState] = useUrlState(DEFAULTS);
  const query = useQuery({ queryKey: ['dashboard', state.series], queryFn: () => getJson<Dashboard>('/api/v1/dashboard', { series: state.series }) });
  const currency = network.currency;
  const money = user.role === 'partner' ? 'payout' : 'revenue';
  const chart = useMemo(() => {
    const rows = query.data?.series ?? [];
    return {
      labels: rows.map((row) => String(state.series === 'day' ? String(row.date).slice(5) : `${row.hour}:00`)),
      series: [
        { label: 'Clicks', values: rows.map((row) => Number(row.clicks ?? 0)), color: '#1f5fbf' },
        { label: 'Conversions', values: rows.map((row) => Number(row.conversions ?? 0)), color: '#b35900' },
      ],
    };
  }, [query.data, state.series]);
  const column = createColumnHelper<Row>();
  const columns = [
    column.accessor('offer_name', { header: 'Offer', cell: (info) => <Link href={user.role === 'partner' ? `/marketplace/${info.row.original.offer_id}` : `/offers/${info.row.original.offer_id}`}>{String(info.getValue())}</Link> }),
    column.accessor('clicks', { header: 'Clicks', cell: (info) => formatCount(info.getValue()) }),
    column.accessor('conversions', { header: 'Conversions', cell: (info) => formatCount(info.getValue()) }),
    column.accessor(money, { header: user.role === 'partner' ? 'Earnings' : 'Revenue', cell: (info) => formatMoney(info.getValue(), String(info.row.original.currency ?? currency)) }),
  ];
  if (query.isPending) return <Loading what="your dashboard" />;
  if (query.isError) return <ErrorState error={query.error} what="your dashboard" />;
  const data = query.data;
  const attention = Object.entries(data.attention).filter(([, count]) => count > 0);
  return (
    <>
      <PageTitle intro={`Figures for local days in ${data.timeZone}; today is ${data.today}.`}>Dashboard</PageTitle>
      <section aria-label="Key figures" className="cards">
        {PERIODS.map(([period, label]) => (
          <div className="card" key={period} data-testid={`period-${period}`}>
            <h2>{label}</h2>
            {data.periods[period].map((row, index) => (
              <dl key={index}>
                {data.metrics.map((metric) => (
                  <div key={metric}>
                    <dt>{(user.role === 'partner' ? PARTNER_NAMES[metric] : undefined) ?? METRIC_NAMES[metric] ?? titleCase(metric)}</dt>
                    <dd data-metric={metric}>{MONEY.has(metric) ? formatMoney(row[metric], String(row.currency ?? currency)) : formatCount(row[metric])}</dd>
                  </div>
                ))}
              </dl>
            ))}
          </div>
        ))}
      </section>
      <section aria-label="Needs attention" className="attention">
        <h2>Needs attention</h2>
        {attention.length === 0 ? (
          <p>Nothing waits on you.</p>
        ) : (
          <ul>
            {attention.map(([name, count]) => (
              <li key={name}>
                <Link href={ATTENTION[name]?.href ?? '/'}>
                  {ATTENTION[name]?.label ?? titleCase(name)}: <strong>{count > ATTENTION_LIMIT ? `more than ${formatCount(ATTENTION_LIMIT)}` : count}</strong>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-label="Chart">
        <label>
          Chart by{' '}
          <select value={state.series} onChange={(event) => setState({ series: event.target.value })}>
            <option value="day">day (last 30 days)</option>
            <option value="hour">hour (today)</option>
          </select>
        </label>
        <LineChart title={state.series === 'day' ? 'Clicks and conversions, last 30 days' : 'Clicks and conversions today, by hour'} labels={chart.labels} series={chart.series} />
      </section>
      <h2>Top offers {data.topOffersPeriod === 'today' ? 'today' : 'this month'}</h2>
      <DataTable caption="Top offers" columns={columns} data={data.topOffers} request={{ path: '/api/v1/dashboard', query: { series: state.series } }} csvName="top-offers.csv" empty={data.topOffersPeriod === 'today' ? 'No traffic today yet.' : 'No traffic this month yet.'} />
    </>
  );
}
