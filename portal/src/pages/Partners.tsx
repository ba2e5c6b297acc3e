import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { Link } from 'wouter';
import { type ApiData, getJson, send } from '../api/client.ts';
import { usePagedList } from '../api/paged-list.ts';
import { useSession } from '../api/session.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { Field, Select } from '../components/Field.tsx';
import { PageTitle } from '../components/Layout.tsx';
import { ListSection } from '../components/ListSection.tsx';
import { ErrorState, Loading, Notice } from '../components/States.tsx';
import { formatCount, formatMoney, formatTime, todayIn } from '../lib/format.ts';
import { useAction } from '../lib/hooks.ts';
import { useUrlState } from '../lib/url-state.ts';

type Partner = ApiData<'/api/v1/partners/{id}'>;
type Application = ApiData<'/api/v1/partner-applications'>[number];

const DEFAULTS = { tab: 'partners', status: '' };
const TAB_NAMES = { partners: 'Partners', applications: 'Sign-ups', tiers: 'Tiers' };

/** Payout tiers: name them here, put partners in them, then pay a tier on an offer's page. */
function Tiers() {
  const [tierId, setTierId] = useState('');
  const [partnerId, setPartnerId] = useState('');
  const assign = useAction(() => send('PUT', `/api/v1/partner-tiers/${tierId}/partners/${partnerId}`, {}), [['/api/v1/partner-tiers'], ['partners']], () => 'The partner is in the tier.');
  return (
    <>
      <ListSection title="Tiers" path="/api/v1/partner-tiers" columns={['id', 'name', 'partnerIds']} fields={[{ name: 'name', label: 'Tier name' }]} addLabel="Add tier" />
      <form
        className="inline-form"
        aria-label="Put a partner in a tier"
        onSubmit={(event) => {
          event.preventDefault();
          assign.mutate(undefined);
        }}
      >
        <Field label="Tier id" inputMode="numeric" value={tierId} onChange={(event) => setTierId(event.target.value)} />
        <Field label="Partner id" inputMode="numeric" value={partnerId} onChange={(event) => setPartnerId(event.target.value)} />
        <button type="submit" disabled={!tierId || !partnerId}>
          Put in tier
        </button>
      </form>
      {assign.message && <Notice kind={assign.message.kind}>{assign.message.text}</Notice>}
    </>
  );
}

export function PartnersPage() {
  const [state, setState] = useUrlState(DEFAULTS);
  return (
    <>
      <PageTitle intro="The network's partners, and those who applied to join.">Partners</PageTitle>
      <div role="tablist" aria-label="Partners" className="tabs">
        {(['partners', 'applications', 'tiers'] as const).map((tab) => (
          <button key={tab} type="button" role="tab" aria-selected={state.tab === tab} onClick={() => setState({ tab })}>
            {TAB_NAMES[tab]}
          </button>
        ))}
      </div>
      {state.tab === 'partners' ? <PartnerList status={state.status} onStatus={(status) => setState({ status })} /> : state.tab === 'tiers' ? <Tiers /> : <SignUps />}
    </>
  );
}

function PartnerList({ status, onStatus }: { status: string; onStatus: (status: string) => void }) {
  const { network } = useSession();
  const list = usePagedList<Partner>('partners', '/api/v1/partners', { status: status || undefined });
  const update = useAction(({ id, status: next }: { id: number; status: string }) => send('PATCH', `/api/v1/partners/${id}`, { status: next }), [['partners']], () => 'Saved.');
  const column = createColumnHelper<Partner>();
  const columns = [
    column.accessor('id', { header: 'ID' }),
    column.accessor('name', { header: 'Partner', cell: (info) => <Link href={`/partners/${info.row.original.id}`}>{info.getValue()}</Link> }),
    column.accessor('email', { header: 'Email' }),
    column.accessor('status', { header: 'Status' }),
    column.accessor('tierName', { header: 'Tier' }),
    column.accessor('users', { header: 'Users' }),
    column.accessor('createdAt', { header: 'Joined', cell: (info) => formatTime(info.getValue(), network.timeZone) }),
    column.display({
      id: 'actions',
      header: 'Actions',
      cell: ({ row: { original } }) =>
        original.status === 'active' || original.status === 'blocked' ? (
          <button type="button" onClick={() => update.mutate({ id: original.id, status: original.status === 'active' ? 'blocked' : 'active' })}>
            {original.status === 'active' ? 'Deactivate' : 'Reactivate'} <span className="visually-hidden">{original.name}</span>
          </button>
        ) : null,
    }),
  ];
  return (
    <>
      <Select label="Status" value={status} onChange={(event) => onStatus(event.target.value)} options={[{ value: '', label: 'Any' }, ...['active', 'pending', 'blocked', 'rejected'].map((value) => ({ value, label: value }))]} />
      {update.message && <Notice kind={update.message.kind}>{update.message.text}</Notice>}
      {list.isPending ? (
        <Loading what="partners" />
      ) : list.isError ? (
        <ErrorState error={list.error} what="partners" />
      ) : (
        <DataTable caption="Partners" columns={columns} data={list.rows} more={list.more} request={{ path: '/api/v1/partners', query: { status: status || undefined } }} csvName="partners.csv" empty="No partners." />
      )}
    </>
  );
}

function SignUps() {
  const { network } = useSession();
  const query = useQuery({ queryKey: ['partner-applications'], queryFn: () => getJson<Application[]>('/api/v1/partner-applications', { status: 'pending' }) });
  const [reasons, setReasons] = useState<Record<number, string>>({});
  const decide = useAction(
    ({ id, approve }: { id: number; approve: boolean }) => send('POST', `/api/v1/partner-applications/${id}/${approve ? 'approve' : 'reject'}`, reasons[id] ? { reason: reasons[id] } : {}),
    [['partner-applications'], ['partners'], ['dashboard']],
    (_result, { approve }) => (approve ? 'Approved: the partner is told by email and may sign in.' : 'Rejected: the partner is told why by email.'),
  );
  const column = createColumnHelper<Application>();
  const columns = [
    column.accessor('company', { header: 'Company' }),
    column.accessor('contactName', { header: 'Contact' }),
    column.accessor('email', { header: 'Email' }),
    column.accessor((row) => (row.emailConfirmed ? 'Yes' : 'Not yet'), { id: 'confirmed', header: 'Email confirmed' }),
    column.accessor('website', { header: 'Website' }),
    column.accessor('trafficSources', { header: 'Traffic sources' }),
    column.accessor('promotion', { header: 'How they promote' }),
    column.accessor('appliedAt', { header: 'Applied', cell: (info) => formatTime(info.getValue(), network.timeZone) }),
    column.display({
      id: 'actions',
      header: 'Decide',
      cell: ({ row: { original } }) => (
        <div className="row-actions">
          <label>
            <span className="visually-hidden">Reason for {original.company}</span>
            <input placeholder="Reason" value={reasons[original.partnerId] ?? ''} onChange={(event) => setReasons({ ...reasons, [original.partnerId]: event.target.value })} />
          </label>
          <button type="button" onClick={() => decide.mutate({ id: original.partnerId, approve: true })}>
            Approve <span className="visually-hidden">{original.company}</span>
          </button>
          <button type="button" onClick={() => decide.mutate({ id: original.partnerId, approve: false })}>
            Reject <span className="visually-hidden">{original.company}</span>
          </button>
        </div>
      ),
    }),
  ];
  return (
    <>
      {decide.message && <Notice kind={decide.message.kind}>{decide.message.text}</Notice>}
      {query.isPending ? (
        <Loading what="sign-ups" />
      ) : query.isError ? (
        <ErrorState error={query.error} what="sign-ups" />
      ) : (
        <DataTable caption="Partner sign-ups" columns={columns} data={query.data} request={{ path: '/api/v1/partner-applications', query: { status: 'pending' } }} csvName="sign-ups.csv" empty="No one is waiting." />
      )}
    </>
  );
}

export function PartnerDetailPage({ id }: { id: string }) {
  const { network } = useSession();
  const partner = useQuery({ queryKey: ['partner', id], queryFn: () => getJson<Partner>(`/api/v1/partners/${id}`) });
  const month = `${todayIn(network.timeZone).slice(0, 8)}01`;
  const figures = useQuery({
    queryKey: ['partner-figures', id],
    queryFn: () =>
      getJson<{ rows: Array<Record<string, string | number>> }>('/api/v1/reports/stats', {
        dimensions: 'offer_name',
        metrics: 'clicks,conversions,payout,revenue',
        from: month,
        to: todayIn(network.timeZone),
        filter: `partner_id:eq:${id}`,
      }),
  });
  const postbacks = useQuery({ queryKey: ['postbacks', id], queryFn: () => getJson<Array<{ id: number; url: string; status: string }>>('/api/v1/postbacks', { partnerId: id }) });
  if (partner.isPending) return <Loading what="the partner" />;
  if (partner.isError) return <ErrorState error={partner.error} what="this partner" />;
  const column = createColumnHelper<Record<string, string | number>>();
  const columns = [
    column.accessor('offer_name', { header: 'Offer' }),
    column.accessor('clicks', { header: 'Clicks', cell: (info) => formatCount(info.getValue()) }),
    column.accessor('conversions', { header: 'Conversions', cell: (info) => formatCount(info.getValue()) }),
    column.accessor('payout', { header: 'Payout', cell: (info) => formatMoney(info.getValue(), network.currency) }),
    column.accessor('revenue', { header: 'Revenue', cell: (info) => formatMoney(info.getValue(), network.currency) }),
  ];
  return (
    <>
      <PageTitle intro={`${partner.data.status} · tier ${partner.data.tierName ?? 'none'} · ${partner.data.email ?? ''}`}>{partner.data.name}</PageTitle>
      <h2>This month, by offer</h2>
      {figures.isSuccess ? (
        <DataTable caption="Partner figures" columns={columns} data={figures.data.rows} request={{ path: '/api/v1/reports/stats', query: { filter: `partner_id:eq:${id}` } }} csvName={`partner-${id}.csv`} empty="No traffic this month." />
      ) : figures.isError ? (
        <ErrorState error={figures.error} what="its figures" />
      ) : (
        <Loading what="its figures" />
      )}
      <h2>Postbacks</h2>
      {postbacks.data?.length ? (
        <ul>
          {postbacks.data.map((postback) => (
            <li key={postback.id}>
              {postback.url} ({postback.status})
            </li>
          ))}
        </ul>
      ) : (
        <p>No postbacks.</p>
      )}
      <Field label="Partner id (for links and payouts)" readOnly value={id} />
    </>
  );
}
