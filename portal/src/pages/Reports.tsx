import { useQuery } from '@tanstack/react-query';
import { createColumnHelper, type ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { getJson } from '../api/client.ts';
import { useSession } from '../api/session.tsx';
import { LineChart } from '../components/Chart.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { DateRange, presetDays, type Preset } from '../components/DateRange.tsx';
import { Field } from '../components/Field.tsx';
import { PageTitle } from '../components/Layout.tsx';
import { ErrorState, Loading } from '../components/States.tsx';
import { formatCount, formatMoney, formatPercent, titleCase } from '../lib/format.ts';
import { useUrlState } from '../lib/url-state.ts';

const DIMENSIONS = ['date', 'hour', 'month', 'offer_name', 'offer_id', 'advertiser_name', 'partner_name', 'partner_id', 'goal_name', 'country', 'device', 'browser', 'source', 'sub1', 'sub2', 'sub3', 'sub4', 'sub5', 'currency'];
const PARTNER_METRICS = ['impressions', 'clicks', 'unique_clicks', 'conversions', 'pending_conversions', 'rejected_conversions', 'payout', 'pending_payout', 'sale_amount', 'ltr', 'epc', 'approved_rate'];
const NETWORK_METRICS = [...PARTNER_METRICS, 'revenue', 'pending_revenue', 'profit', 'rpc', 'click_spend'];
const MONEY = new Set(['payout', 'pending_payout', 'sale_amount', 'epc', 'revenue', 'pending_revenue', 'profit', 'rpc', 'click_spend']);
const RATES = new Set(['ltr', 'approved_rate']);

type Row = Record<string, string | number | null>;
interface Report {
  rows: Row[];
  count: number;
  totals?: Row;
}
interface SavedReport {
  name: string;
  search: string;
}

const DEFAULTS = { preset: 'last7', from: '', to: '', dimensions: 'date', metrics: 'clicks,conversions,payout', filter: '' };

function toggle(list: string, item: string): string {
  const items = list.split(',').filter(Boolean);
  return (items.includes(item) ? items.filter((entry) => entry !== item) : [...items, item]).join(',');
}

export function ReportsPage() {
  const { user, network } = useSession();
  const [state, setState] = useUrlState(DEFAULTS);
  const metricsAllowed = user.role === 'partner' ? PARTNER_METRICS : NETWORK_METRICS;
  const range = presetDays(state.preset as Preset, network.timeZone, { from: state.from, to: state.to });
  const request = {
    dimensions: state.dimensions || undefined,
    metrics: state.metrics,
    from: range.from,
    to: range.to,
    filter: state.filter || undefined,
    totals: 'true',
    limit: 5000,
  };
  const query = useQuery({ queryKey: ['report', request], queryFn: () => getJson<Report>('/api/v1/reports/stats', request), enabled: state.metrics !== '' });
  const metrics = state.metrics.split(',').filter(Boolean);
  const dimensions = state.dimensions.split(',').filter(Boolean);
  const savedKey = `partnerline:reports:${user.id}`;
  const [saved, setSaved] = useState<SavedReport[]>(() => JSON.parse(localStorage.getItem(savedKey) ?? '[]'));
  const [saveName, setSaveName] = useState('');
  const save = () => {
    const next = [...saved.filter((report) => report.name !== saveName), { name: saveName, search: window.location.search }];
    localStorage.setItem(savedKey, JSON.stringify(next));
    setSaved(next);
    setSaveName('');
  };
  const cell = (metric: string, value: unknown, row: Row) =>
    MONEY.has(metric) ? formatMoney(value as string, String(row.currency ?? network.currency)) : RATES.has(metric) ? formatPercent(value as number) : formatCount(value as number);
  const column = createColumnHelper<Row>();
  const columns: Array<ColumnDef<Row, any>> = [
    ...dimensions.map((name) => column.accessor((row) => row[name] ?? '', { id: name, header: titleCase(name) })),
    ...metrics.map((name) => column.accessor((row) => row[name], { id: name, header: titleCase(name), cell: (info) => cell(name, info.getValue(), info.row.original) })),
  ];
  const chart = useMemo(() => {
    const rows = dimensions[0] === 'date' || dimensions[0] === 'hour' ? (query.data?.rows ?? []) : [];
    const plotted = metrics.filter((metric) => !MONEY.has(metric) && !RATES.has(metric)).slice(0, 3);
    const colors = ['#1f5fbf', '#b35900', '#2d7d46'];
    return {
      labels: rows.map((row) => String(row[dimensions[0]!])),
      series: plotted.map((metric, index) => ({ label: titleCase(metric), values: rows.map((row) => Number(row[metric] ?? 0)), color: colors[index]! })),
    };
  }, [query.data, state.dimensions, state.metrics]);
  const csvLink = `/api/v1/reports/stats?${new URLSearchParams(Object.entries({ ...request, format: 'csv' }).filter(([, value]) => value !== undefined).map(([name, value]) => [name, String(value)]))}`;
  return (
    <>
      <PageTitle intro={`Local days in ${network.timeZone}. Choose what to group by and what to count; the URL keeps your choices.`}>Reports</PageTitle>
      <div className="report-controls">
        <DateRange preset={state.preset as Preset} from={range.from} to={range.to} onChange={(change) => setState(change)} />
        <fieldset className="pickers">
          <legend>Group by</legend>
          {DIMENSIONS.map((name) => (
            <label key={name} className="check">
              <input type="checkbox" checked={dimensions.includes(name)} onChange={() => setState({ dimensions: toggle(state.dimensions, name) })} /> {titleCase(name)}
            </label>
          ))}
        </fieldset>
        <fieldset className="pickers">
          <legend>Figures</legend>
          {metricsAllowed.map((name) => (
            <label key={name} className="check">
              <input type="checkbox" checked={metrics.includes(name)} onChange={() => setState({ metrics: toggle(state.metrics, name) })} /> {titleCase(name)}
            </label>
          ))}
        </fieldset>
        <Field label="Filter" value={state.filter} onChange={(event) => setState({ filter: event.target.value })} hint="field:op:value, e.g. country:eq:US or sub1:eq:spring" />
        <div className="saved">
          <Field label="Save this report as" value={saveName} onChange={(event) => setSaveName(event.target.value)} />
          <button type="button" onClick={save} disabled={!saveName}>
            Save report
          </button>
          {saved.length > 0 && (
            <ul aria-label="Saved reports">
              {saved.map((report) => (
                <li key={report.name}>
                  <a href={`/reports${report.search}`}>{report.name}</a>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      {metrics.length === 0 ? (
        <p>Choose at least one figure.</p>
      ) : query.isPending ? (
        <Loading what="the report" />
      ) : query.isError ? (
        <ErrorState error={query.error} what="the report" />
      ) : (
        <>
          {chart.labels.length > 0 && chart.series.length > 0 && <LineChart title="Over time" labels={chart.labels} series={chart.series} />}
          {query.data.totals && (
            <dl className="facts" aria-label="Totals">
              {metrics.map((metric) => (
                <div key={metric}>
                  <dt>{titleCase(metric)}</dt>
                  <dd data-total={metric}>{cell(metric, query.data.totals![metric], query.data.totals!)}</dd>
                </div>
              ))}
            </dl>
          )}
          <p>
            <a href={csvLink} download>
              Download the whole report as CSV
            </a>
          </p>
          <DataTable caption="Report" columns={columns} data={query.data.rows} request={{ path: '/api/v1/reports/stats', query: request }} csvName="report.csv" empty="No traffic in these days." />
        </>
      )}
    </>
  );
}
