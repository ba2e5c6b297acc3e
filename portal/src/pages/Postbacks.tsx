import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { type ApiData, getJson, send } from '../api/client.ts';
import { useSession } from '../api/session.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { Field } from '../components/Field.tsx';
import { PageTitle } from '../components/Layout.tsx';
import { ErrorState, Loading, Notice } from '../components/States.tsx';
import { formatTime } from '../lib/format.ts';
import { latest, useAction } from '../lib/hooks.ts';

type Postback = ApiData<'/api/v1/postbacks'>[number];
type Delivery = Record<string, unknown> & { id: string; status: string; log?: Array<Record<string, unknown>> };

export function PostbacksPage() {
  const { user, network } = useSession();
  const query = useQuery({ queryKey: ['postbacks'], queryFn: () => getJson<Postback[]>('/api/v1/postbacks') });
  const [url, setUrl] = useState('');
  const [offerId, setOfferId] = useState('');
  const [open, setOpen] = useState<number | null>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const create = useAction(
    () =>
      editing === null
        ? send('POST', '/api/v1/postbacks', { url, ...(offerId ? { offerId: Number(offerId) } : {}) })
        : send('PATCH', `/api/v1/postbacks/${editing}`, { url, offerId: offerId ? Number(offerId) : null }),
    [['postbacks']],
    () => (editing === null ? 'The postback is saved.' : 'The postback is changed; conversions from now on use it.'),
  );
  const edit = (postback: Postback) => {
    setEditing(postback.id);
    setUrl(postback.url);
    setOfferId(postback.offerId === null ? '' : String(postback.offerId));
  };
  const remove = useAction((id: number) => send('DELETE', `/api/v1/postbacks/${id}`), [['postbacks']], () => 'The postback is removed.');
  const test = useAction((id: number) => send<Record<string, unknown>>('POST', `/api/v1/postbacks/${id}/test`, {}), [], (result) => `Test sent: the endpoint answered ${String(result.status ?? result.statusCode ?? 'something')}.`);
  const column = createColumnHelper<Postback>();
  const columns = [
    column.accessor('id', { header: 'ID' }),
    ...(user.role === 'network_admin' ? [column.accessor('partnerId', { header: 'Partner' })] : []),
    column.accessor((row) => row.offerId ?? 'Every offer', { id: 'offer', header: 'Offer' }),
    column.accessor('url', { header: 'URL' }),
    column.accessor('status', { header: 'Status' }),
    column.accessor('consecutiveFailures', { header: 'Failures in a row' }),
    column.display({
      id: 'actions',
      header: 'Actions',
      cell: ({ row: { original } }) => (
        <div className="row-actions">
          <button type="button" onClick={() => setOpen(original.id)}>
            Deliveries <span className="visually-hidden">of postback {original.id}</span>
          </button>
          <button type="button" onClick={() => edit(original)}>
            Edit <span className="visually-hidden">postback {original.id}</span>
          </button>
          <button type="button" onClick={() => test.mutate(original.id)}>
            Test <span className="visually-hidden">postback {original.id}</span>
          </button>
          <button type="button" onClick={() => remove.mutate(original.id)}>
            Remove <span className="visually-hidden">postback {original.id}</span>
          </button>
        </div>
      ),
    }),
  ];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(undefined, { onSuccess: () => (setEditing(null), setUrl(''), setOfferId('')) });
  };
  const message = latest(create.message, test.message, remove.message);
  return (
    <>
      <PageTitle intro="Partnerline calls these URLs when your conversions are created, change, or are rejected. Macros such as {aff_sub}, {payout} and {conversion_status} are filled in.">Postbacks</PageTitle>
      {(user.role === 'partner' || editing !== null) && (
        <form onSubmit={submit} className="inline-form" aria-label={editing === null ? 'New postback' : `Edit postback ${editing}`}>
          <Field label="Postback URL" type="url" required value={url} onChange={(event) => setUrl(event.target.value)} placeholder="https://tracker.example/pb?click={aff_sub}&payout={payout}" />
          <Field label="Only for offer (id)" inputMode="numeric" value={offerId} onChange={(event) => setOfferId(event.target.value)} hint="Empty: every offer" />
          <button type="submit" className="primary">
            {editing === null ? 'Add postback' : 'Save postback'}
          </button>
          {editing !== null && (
            <button type="button" onClick={() => (setEditing(null), setUrl(''), setOfferId(''))}>
              Cancel
            </button>
          )}
        </form>
      )}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {query.isPending ? (
        <Loading what="postbacks" />
      ) : query.isError ? (
        <ErrorState error={query.error} what="postbacks" />
      ) : (
        <DataTable caption="Postbacks" columns={columns} data={query.data} request={{ path: '/api/v1/postbacks' }} csvName="postbacks.csv" empty="No postbacks yet." />
      )}
      {open !== null && <Deliveries postbackId={open} timeZone={network.timeZone} />}
    </>
  );
}

function Deliveries({ postbackId, timeZone }: { postbackId: number; timeZone: string }) {
  const query = useQuery({ queryKey: ['deliveries', postbackId], queryFn: () => getJson<Delivery[]>(`/api/v1/postbacks/${postbackId}/deliveries`) });
  const replay = useAction((id: string) => send('POST', `/api/v1/deliveries/${id}/replay`, {}), [['deliveries', String(postbackId)], ['deliveries']], () => 'The delivery is queued again.');
  const column = createColumnHelper<Delivery>();
  const columns = [
    column.accessor('id', { header: 'Delivery' }),
    column.accessor((row) => String(row.conversionId ?? ''), { id: 'conversion', header: 'Conversion' }),
    column.accessor((row) => String(row.operation ?? ''), { id: 'operation', header: 'Operation' }),
    column.accessor('status', { header: 'Status' }),
    column.accessor((row) => String(row.url ?? ''), { id: 'url', header: 'URL called' }),
    column.accessor((row) => formatTime((row.deliveredAt as string | null) ?? null, timeZone), { id: 'delivered', header: 'Delivered' }),
    column.accessor(
      (row) =>
        (row.log ?? [])
          .map((attempt) => `${String(attempt.statusCode ?? attempt.error ?? '')} ${String(attempt.responseExcerpt ?? '').slice(0, 80)}`.trim())
          .join(' | '),
      { id: 'answers', header: 'Answers' },
    ),
    column.display({
      id: 'actions',
      header: 'Replay',
      cell: ({ row: { original } }) =>
        original.status === 'parked' ? (
          <button type="button" onClick={() => replay.mutate(original.id)}>
            Replay <span className="visually-hidden">delivery {original.id}</span>
          </button>
        ) : null,
    }),
  ];
  return (
    <section aria-label={`Deliveries of postback ${postbackId}`} className="list-section">
      <h2>Deliveries of postback {postbackId}</h2>
      {replay.message && <Notice kind={replay.message.kind}>{replay.message.text}</Notice>}
      {query.isPending ? (
        <Loading what="deliveries" />
      ) : query.isError ? (
        <ErrorState error={query.error} what="deliveries" />
      ) : (
        <DataTable caption="Deliveries" columns={columns} data={query.data} request={{ path: `/api/v1/postbacks/${postbackId}/deliveries` }} csvName="deliveries.csv" empty="Nothing delivered yet." />
      )}
    </section>
  );
}
