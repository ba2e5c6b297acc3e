import { useQuery } from '@tanstack/react-query';
import { createColumnHelper, type RowSelectionState } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { getJson, send } from '../api/client.ts';
import { useCursorList } from '../api/paged-list.ts';
import { useSession } from '../api/session.tsx';
import { DataTable, selectColumn } from '../components/DataTable.tsx';
import { DateRange, presetDays, type Preset } from '../components/DateRange.tsx';
import { Field, Select, TextArea } from '../components/Field.tsx';
import { PageTitle } from '../components/Layout.tsx';
import { ErrorState, Loading, Notice } from '../components/States.tsx';
import { formatMoney, formatTime } from '../lib/format.ts';
import { useAction } from '../lib/hooks.ts';
import { useUrlState } from '../lib/url-state.ts';

interface Conversion {
  id: string;
  transactionId: string | null;
  offerId: number;
  partnerId: number;
  status: string;
  statusCode: number;
  reason: string | null;
  currency: string;
  saleAmount: string;
  payout: string;
  revenue?: string;
  orderId: string | null;
  convertedAt: string;
}
interface HistoryEntry {
  type: string;
  actor: string;
  reason: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  at: string;
}
interface BatchResult {
  rows: number;
  updated: number;
  unchanged: number;
  errors: number;
  results: Array<{ row: number; conversionId: string | null; outcome: string; message?: string; change?: string }>;
}

const DEFAULTS = { preset: 'last7', from: '', to: '', status: '', offerId: '', orderId: '' };

export function ConversionsPage() {
  const { user, network } = useSession();
  const [state, setState] = useUrlState(DEFAULTS);
  const range = presetDays(state.preset as Preset, network.timeZone, { from: state.from, to: state.to });
  const request = { from: range.from, to: range.to, status: state.status || undefined, offerId: state.offerId || undefined, orderId: state.orderId || undefined };
  const list = useCursorList<Conversion>('conversions', '/api/v1/conversions', 'conversions', request);
  const [selected, setSelected] = useState<RowSelectionState>({});
  const [reason, setReason] = useState('');
  const [history, setHistory] = useState<string | null>(null);
  const mayCorrect = user.role !== 'partner';
  const act = useAction(
    async ({ action, ids }: { action: 'approve' | 'reject' | 'reverse'; ids: string[] }) => {
      for (const id of ids) await send('POST', `/api/v1/conversions/${id}/${action}`, reason ? { reason } : {});
      return ids.length;
    },
    [['conversions'], ['dashboard'], ['conversion']],
    (count, { action }) => `${count} conversion(s): ${action} done.`,
  );
  const column = createColumnHelper<Conversion>();
  const columns = [
    ...(mayCorrect ? [selectColumn<Conversion>((row) => `conversion ${row.id}`)] : []),
    column.accessor('id', { header: 'ID' }),
    column.accessor('convertedAt', { header: 'Converted', cell: (info) => formatTime(info.getValue(), network.timeZone) }),
    column.accessor('offerId', { header: 'Offer' }),
    ...(user.role !== 'partner' ? [column.accessor('partnerId', { header: 'Partner' })] : []),
    column.accessor('orderId', { header: 'Order' }),
    column.accessor('status', { header: 'Status' }),
    column.accessor('reason', { header: 'Reason' }),
    column.accessor('saleAmount', { header: 'Sale', cell: (info) => formatMoney(info.getValue(), info.row.original.currency) }),
    column.accessor('payout', { header: user.role === 'partner' ? 'Earnings' : 'Payout', cell: (info) => formatMoney(info.getValue(), info.row.original.currency) }),
    column.display({
      id: 'actions',
      header: 'Actions',
      cell: ({ row: { original } }) => (
        <div className="row-actions">
          <button type="button" onClick={() => setHistory(original.id)}>
            History <span className="visually-hidden">of conversion {original.id}</span>
          </button>
          {mayCorrect &&
            (['approve', 'reject', 'reverse'] as const)
              .filter((action) => (action === 'approve' ? original.status !== 'approved' : action === 'reject' ? original.status === 'pending' : original.status === 'approved'))
              .map((action) => (
                <button key={action} type="button" onClick={() => act.mutate({ action, ids: [original.id] })}>
                  {action[0]!.toUpperCase() + action.slice(1)} <span className="visually-hidden">conversion {original.id}</span>
                </button>
              ))}
        </div>
      ),
    }),
  ];
  const ids = Object.keys(selected).filter((id) => selected[id]);
  return (
    <>
      <PageTitle intro={`The ledger: each conversion as it stands, with its history. Times in ${network.timeZone}.`}>Conversions</PageTitle>
      <div className="filters">
        <DateRange preset={state.preset as Preset} from={range.from} to={range.to} onChange={(change) => setState(change)} />
        <Select
          label="Status"
          value={state.status}
          onChange={(event) => setState({ status: event.target.value })}
          options={[{ value: '', label: 'Any' }, ...['approved', 'pending', 'rejected'].map((value) => ({ value, label: value }))]}
        />
        <Field label="Offer id" inputMode="numeric" value={state.offerId} onChange={(event) => setState({ offerId: event.target.value })} />
        <Field label="Order id" value={state.orderId} onChange={(event) => setState({ orderId: event.target.value })} />
      </div>
      {mayCorrect && (
        <div className="bulk" role="group" aria-label="Act on the selected conversions">
          <Field label="Reason" value={reason} onChange={(event) => setReason(event.target.value)} hint="Required to reject or reverse; the partner reads it" />
          {(['approve', 'reject', 'reverse'] as const).map((action) => (
            <button key={action} type="button" disabled={ids.length === 0 || act.isPending} onClick={() => act.mutate({ action, ids }, { onSuccess: () => setSelected({}) })}>
              {action[0]!.toUpperCase() + action.slice(1)} selected ({ids.length})
            </button>
          ))}
        </div>
      )}
      {act.message && <Notice kind={act.message.kind}>{act.message.text}</Notice>}
      {list.isPending ? (
        <Loading what="conversions" />
      ) : list.isError ? (
        <ErrorState error={list.error} what="conversions" />
      ) : (
        <DataTable
          caption="Conversions"
          columns={columns}
          data={list.rows}
          more={list.more}
          rowId={(row) => row.id}
          selection={mayCorrect ? { selected, onChange: setSelected } : undefined}
          request={{ path: '/api/v1/conversions', query: request }}
          csvName="conversions.csv"
          empty="No conversions in these days."
        />
      )}
      {history && <ConversionPanel id={history} onClose={() => setHistory(null)} mayCorrect={mayCorrect} />}
      {mayCorrect && <BatchUpload />}
    </>
  );
}

function ConversionPanel({ id, onClose, mayCorrect }: { id: string; onClose: () => void; mayCorrect: boolean }) {
  const { network } = useSession();
  const query = useQuery({ queryKey: ['conversion', id], queryFn: () => getJson<{ conversion: Conversion; history: HistoryEntry[] }>(`/api/v1/conversions/${id}`) });
  const [saleAmount, setSaleAmount] = useState('');
  const [transactionId, setTransactionId] = useState('');
  const [reason, setReason] = useState('');
  const correct = useAction(
    ({ action, body }: { action: 'adjust' | 'reattribute'; body: Record<string, string> }) => send('POST', `/api/v1/conversions/${id}/${action}`, { ...body, ...(reason ? { reason } : {}) }),
    [['conversion', id], ['conversions']],
    (_result, { action }) => (action === 'adjust' ? 'The sale amount is adjusted.' : 'The order is re-attributed.'),
  );
  const submit = (action: 'adjust' | 'reattribute') => (event: FormEvent) => {
    event.preventDefault();
    correct.mutate({ action, body: action === 'adjust' ? { saleAmount } : { transactionId } });
  };
  return (
    <section className="panel" aria-label={`Conversion ${id}`}>
      <h2>
        Conversion {id}{' '}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </h2>
      {query.isPending ? (
        <Loading what="its history" />
      ) : query.isError ? (
        <ErrorState error={query.error} what="this conversion" />
      ) : (
        <ol className="history">
          {query.data.history.map((entry, index) => (
            <li key={index}>
              <strong>{entry.type}</strong> by {entry.actor} on {formatTime(entry.at, network.timeZone)}
              {entry.reason ? `: ${entry.reason}` : ''}
              {entry.after && <div className="figures">now {Object.entries(entry.after).map(([name, value]) => `${name} ${String(value)}`).join(', ')}</div>}
            </li>
          ))}
        </ol>
      )}
      {mayCorrect && (
        <>
          <Field label="Reason for the change" value={reason} onChange={(event) => setReason(event.target.value)} />
          <form onSubmit={submit('adjust')} className="inline-form" aria-label="Adjust the sale amount">
            <Field label="New sale amount" inputMode="decimal" value={saleAmount} onChange={(event) => setSaleAmount(event.target.value)} />
            <button type="submit" disabled={!saleAmount}>
              Adjust
            </button>
          </form>
          <form onSubmit={submit('reattribute')} className="inline-form" aria-label="Re-attribute the order">
            <Field label="Give the order to the click" value={transactionId} onChange={(event) => setTransactionId(event.target.value)} hint="The transaction id of the click that earned it" />
            <button type="submit" disabled={!transactionId}>
              Re-attribute
            </button>
          </form>
          {correct.message && <Notice kind={correct.message.kind}>{correct.message.text}</Notice>}
        </>
      )}
    </section>
  );
}

/** Late updates from a CSV file: a preview of what each row would do, then the results once applied. */
function BatchUpload() {
  const [csv, setCsv] = useState('');
  const [preview, setPreview] = useState<BatchResult | null>(null);
  const [applied, setApplied] = useState<BatchResult | null>(null);
  const run = useAction(
    (mode: 'preview' | 'apply') => send<BatchResult>('POST', `/api/v1/conversions/batch${mode === 'preview' ? '?preview=true' : ''}`, csv, 'text/csv'),
    [['conversions'], ['dashboard'], ['report']],
  );
  const readFile = async (file: File | undefined) => {
    if (!file) return;
    setCsv(await file.text());
    setPreview(null);
    setApplied(null);
  };
  const results = (result: BatchResult, caption: string) => (
    <table className="batch-results">
      <caption>
        {caption}: {result.rows} rows, {result.updated} {caption.startsWith('Preview') ? 'would change' : 'changed'}, {result.unchanged} unchanged, {result.errors} with errors
      </caption>
      <thead>
        <tr>
          <th scope="col">Row</th>
          <th scope="col">Conversion</th>
          <th scope="col">Outcome</th>
          <th scope="col">What</th>
        </tr>
      </thead>
      <tbody>
        {result.results.map((row) => (
          <tr key={row.row}>
            <td>{row.row}</td>
            <td>{row.conversionId ?? '–'}</td>
            <td>{row.outcome}</td>
            <td>{row.change ?? row.message ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <section aria-label="Batch upload" className="list-section">
      <h2>Upload late updates (CSV)</h2>
      <p>Columns: transaction_id or order_id, then any of status, reason, sale_amount, reattribute_to, offer_id, goal_id. Sending the same file again changes nothing.</p>
      <div className="field">
        <label htmlFor="batch-file">CSV file</label>
        <input id="batch-file" type="file" accept=".csv,text/csv" onChange={(event) => void readFile(event.target.files?.[0])} />
      </div>
      <TextArea label="Or paste the CSV" rows={5} value={csv} onChange={(event) => setCsv(event.target.value)} />
      <div className="actions">
        <button type="button" disabled={!csv || run.isPending} onClick={() => run.mutate('preview', { onSuccess: (result) => (setPreview(result), setApplied(null)) })}>
          Preview
        </button>
        <button type="button" className="primary" disabled={!preview || run.isPending} onClick={() => run.mutate('apply', { onSuccess: (result) => setApplied(result) })}>
          Apply
        </button>
      </div>
      {run.message && <Notice kind={run.message.kind}>{run.message.text}</Notice>}
      {preview && !applied && results(preview, 'Preview')}
      {applied && results(applied, 'Applied')}
    </section>
  );
}
