import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { type ApiData, getJson, send } from '../api/client.ts';
import { useSession } from '../api/session.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { Select } from '../components/Field.tsx';
import { PageTitle } from '../components/Layout.tsx';
import { ErrorState, Loading, Notice } from '../components/States.tsx';
import { formatTime } from '../lib/format.ts';
import { useAction } from '../lib/hooks.ts';
import { useUrlState } from '../lib/url-state.ts';

type Application = ApiData<'/api/v1/offer-applications'>[number];

/** Offer applications, with approve and reject (a reason the partner reads). */
export function OfferApplications({ offerId, status = '' }: { offerId?: number; status?: string }) {
  const { network } = useSession();
  const query = useQuery({
    queryKey: ['offer-applications', offerId ?? 'all', status],
    queryFn: () => getJson<Application[]>('/api/v1/offer-applications', { offerId, status: status || undefined }),
  });
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const decide = useAction(
    ({ application, approve }: { application: Application; approve: boolean }) =>
      send('POST', `/api/v1/offers/${application.offerId}/applications/${application.partnerId}/${approve ? 'approve' : 'reject'}`, {
        ...(reasons[`${application.offerId}/${application.partnerId}`] ? { reason: reasons[`${application.offerId}/${application.partnerId}`] } : {}),
      }),
    [['offer-applications'], ['dashboard']],
    (_result, { application, approve }) => `${application.partnerName} is ${approve ? 'approved' : 'rejected'} on ${application.offerName}.`,
  );
  const column = createColumnHelper<Application>();
  const columns = [
    column.accessor('offerName', { header: 'Offer' }),
    column.accessor('partnerName', { header: 'Partner' }),
    column.accessor('status', { header: 'Status' }),
    column.accessor('note', { header: 'Partner\'s note' }),
    column.accessor('reason', { header: 'Reason' }),
    column.accessor('updatedAt', { header: 'Updated', cell: (info) => formatTime(info.getValue(), network.timeZone) }),
    column.display({
      id: 'actions',
      header: 'Decide',
      cell: ({ row: { original: application } }) => {
        const key = `${application.offerId}/${application.partnerId}`;
        return (
          <div className="row-actions">
            <label>
              <span className="visually-hidden">Reason for {application.partnerName}</span>
              <input placeholder="Reason" value={reasons[key] ?? ''} onChange={(event) => setReasons({ ...reasons, [key]: event.target.value })} />
            </label>
            {application.status !== 'approved' && (
              <button type="button" onClick={() => decide.mutate({ application, approve: true })}>
                Approve <span className="visually-hidden">{application.partnerName}</span>
              </button>
            )}
            {application.status !== 'rejected' && (
              <button type="button" onClick={() => decide.mutate({ application, approve: false })}>
                Reject <span className="visually-hidden">{application.partnerName}</span>
              </button>
            )}
          </div>
        );
      },
    }),
  ];
  return (
    <section aria-label="Offer applications" className="list-section">
      <h2>Offer applications</h2>
      {decide.message && <Notice kind={decide.message.kind}>{decide.message.text}</Notice>}
      {query.isPending ? (
        <Loading what="applications" />
      ) : query.isError ? (
        <ErrorState error={query.error} what="applications" />
      ) : (
        <DataTable caption="Offer applications" columns={columns} data={query.data} request={{ path: '/api/v1/offer-applications', query: { offerId, status } }} csvName="applications.csv" empty="No applications." />
      )}
    </section>
  );
}

const DEFAULTS = { status: 'pending' };

export function ApplicationsPage() {
  const [state, setState] = useUrlState(DEFAULTS);
  return (
    <>
      <PageTitle intro="Partners ask to promote your offers that need approval. Approve them, or reject with a reason they read.">Applications</PageTitle>
      <Select
        label="Status"
        value={state.status}
        onChange={(event) => setState({ status: event.target.value })}
        options={[{ value: '', label: 'Any' }, ...['pending', 'approved', 'rejected'].map((value) => ({ value, label: value }))]}
      />
      <OfferApplications status={state.status} />
    </>
  );
}
