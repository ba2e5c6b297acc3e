import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { type ApiData, getJson, send } from '../api/client.ts';
import { usePagedList } from '../api/paged-list.ts';
import { useSession } from '../api/session.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { Field, Select, TextArea } from '../components/Field.tsx';
import { PageTitle } from '../components/Layout.tsx';
import { ErrorState, Loading, Notice } from '../components/States.tsx';
import { formatMoney, formatTime } from '../lib/format.ts';
import { useAction } from '../lib/hooks.ts';
import { useUrlState } from '../lib/url-state.ts';

export type Offer = ApiData<'/api/v1/offers/{id}'>;

export const PRICING = ['cpa_flat', 'cpa_percentage', 'cpa_both', 'cpc', 'cpm'].map((value) => ({ value, label: value.replace('cpa_', 'CPA ').replace('cpc', 'CPC').replace('cpm', 'CPM') }));
const DEFAULTS = { status: '' };

export function pricing(type: string, flat: string, percent: number, currency: string): string {
  if (type === 'cpa_percentage') return `${percent}%`;
  if (type === 'cpa_both') return `${formatMoney(flat, currency)} + ${percent}%`;
  return `${formatMoney(flat, currency)}${type === 'cpc' ? ' per click' : type === 'cpm' ? ' per 1,000 impressions' : ''}`;
}

export function OffersPage() {
  const { network } = useSession();
  const [state, setState] = useUrlState(DEFAULTS);
  const list = usePagedList<Offer>('offers', '/api/v1/offers', { status: state.status || undefined });
  const column = createColumnHelper<Offer>();
  const columns = [
    column.accessor('id', { header: 'ID' }),
    column.accessor('name', { header: 'Offer', cell: (info) => <Link href={`/offers/${info.row.original.id}`}>{info.getValue()}</Link> }),
    column.accessor('advertiserName', { header: 'Advertiser' }),
    column.accessor('status', { header: 'Status' }),
    column.accessor('visibility', { header: 'Visibility' }),
    column.accessor((offer) => pricing(offer.payoutType, offer.payout, offer.percentPayout, offer.currency), { id: 'payout', header: 'Payout' }),
    column.accessor((offer) => pricing(offer.revenueType, offer.revenue, offer.percentRevenue, offer.currency), { id: 'revenue', header: 'Revenue' }),
    column.accessor('createdAt', { header: 'Created', cell: (info) => formatTime(info.getValue(), network.timeZone) }),
  ];
  return (
    <>
      <PageTitle intro="Every offer you manage. Open one to change it, build links, see applications and test a conversion.">Offers</PageTitle>
      <p>
        <Link href="/offers/new" className="button primary">
          Create an offer
        </Link>
      </p>
      <Select
        label="Status"
        value={state.status}
        onChange={(event) => setState({ status: event.target.value })}
        options={[{ value: '', label: 'Any' }, ...['active', 'paused', 'pending', 'expired'].map((value) => ({ value, label: value }))]}
      />
      {list.isPending ? (
        <Loading what="offers" />
      ) : list.isError ? (
        <ErrorState error={list.error} what="offers" />
      ) : (
        <DataTable caption="Offers" columns={columns} data={list.rows} more={list.more} request={{ path: '/api/v1/offers', query: { status: state.status || undefined } }} csvName="offers.csv" empty="No offers yet: create the first one." />
      )}
    </>
  );
}

interface OfferFormState {
  advertiserId: string;
  name: string;
  description: string;
  destinationUrl: string;
  previewUrl: string;
  fallbackUrl: string;
  visibility: string;
  payoutType: string;
  payout: string;
  percentPayout: string;
  revenueType: string;
  revenue: string;
  percentRevenue: string;
  geoTargeting: string;
  deviceTargeting: string;
  channelIds: number[];
  allowDeepLink: boolean;
  approveConversions: boolean;
  holdHours: string;
  dailyBudget: string;
  endsAt: string;
}

function formFrom(offer?: Offer): OfferFormState {
  return {
    advertiserId: String(offer?.advertiserId ?? ''),
    name: offer?.name ?? '',
    description: offer?.description ?? '',
    destinationUrl: offer?.destinationUrl ?? 'https://',
    previewUrl: offer?.previewUrl ?? '',
    fallbackUrl: offer?.fallbackUrl ?? '',
    visibility: offer?.visibility ?? 'open',
    payoutType: offer?.payoutType ?? 'cpa_flat',
    payout: offer ? String(Number(offer.payout)) : '0',
    percentPayout: String(offer?.percentPayout ?? 0),
    revenueType: offer?.revenueType ?? 'cpa_flat',
    revenue: offer ? String(Number(offer.revenue)) : '0',
    percentRevenue: String(offer?.percentRevenue ?? 0),
    geoTargeting: offer?.geoTargeting.join(', ') ?? '',
    deviceTargeting: offer?.deviceTargeting.join(', ') ?? '',
    channelIds: offer?.channelIds ?? [],
    allowDeepLink: offer?.allowDeepLink ?? false,
    approveConversions: offer?.approveConversions ?? false,
    holdHours: offer?.holdHours ? String(offer.holdHours) : '',
    dailyBudget: offer?.dailyBudget ? String(Number(offer.dailyBudget)) : '',
    endsAt: offer?.endsAt?.slice(0, 10) ?? '',
  };
}

const list = (text: string) => text.split(',').map((item) => item.trim()).filter(Boolean);

/** The offer's settings as the API takes them. */
function bodyOf(form: OfferFormState, creating: boolean) {
  return {
    ...(creating ? { advertiserId: Number(form.advertiserId) } : {}),
    name: form.name,
    description: form.description || null,
    destinationUrl: form.destinationUrl,
    previewUrl: form.previewUrl || null,
    fallbackUrl: form.fallbackUrl || null,
    visibility: form.visibility,
    payoutType: form.payoutType,
    payout: form.payout || '0',
    percentPayout: form.percentPayout || '0',
    revenueType: form.revenueType,
    revenue: form.revenue || '0',
    percentRevenue: form.percentRevenue || '0',
    geoTargeting: list(form.geoTargeting),
    deviceTargeting: list(form.deviceTargeting),
    channelIds: form.channelIds,
    allowDeepLink: form.allowDeepLink,
    approveConversions: form.approveConversions,
    holdHours: form.holdHours ? Number(form.holdHours) : null,
    dailyBudget: form.dailyBudget || null,
    endsAt: form.endsAt ? new Date(`${form.endsAt}T23:59:59Z`).toISOString() : null,
  };
}

export function OfferForm({ offer, onSaved }: { offer?: Offer; onSaved: (offer: Offer) => void }) {
  const { user } = useSession();
  const [form, setForm] = useState(() => formFrom(offer));
  const advertisers = useQuery({
    queryKey: ['advertisers'],
    queryFn: () => getJson<{ items: Array<{ id: number; name: string }> }>('/api/v1/advertisers', { perPage: 500 }),
    enabled: !offer,
  });
  const channels = useQuery({ queryKey: ['channels'], queryFn: () => getJson<ApiData<'/affiliate/v2/channels'>>('/affiliate/v2/channels') });
  const save = useAction(
    () => send<Offer>(offer ? 'PATCH' : 'POST', offer ? `/api/v1/offers/${offer.id}` : '/api/v1/offers', bodyOf(form, !offer)),
    [['offers'], ['offer', String(offer?.id)]],
    () => 'Saved.',
  );
  const set = (field: keyof OfferFormState) => (event: { target: { value: string } }) => setForm({ ...form, [field]: event.target.value });
  const check = (field: 'allowDeepLink' | 'approveConversions') => (event: { target: { checked: boolean } }) => setForm({ ...form, [field]: event.target.checked });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(undefined, { onSuccess: onSaved });
  };
  const advertiserOptions = (advertisers.data?.items ?? []).map((advertiser) => ({ value: String(advertiser.id), label: advertiser.name }));
  return (
    <form onSubmit={submit} className="offer-form" aria-label={offer ? 'Offer settings' : 'New offer'}>
      {!offer && <Select label="Advertiser" required value={form.advertiserId} onChange={set('advertiserId')} options={[{ value: '', label: 'Choose…' }, ...advertiserOptions]} />}
      <Field label="Name" required value={form.name} onChange={set('name')} />
      <TextArea label="Description" value={form.description} onChange={set('description')} />
      <Field label="Destination URL" required value={form.destinationUrl} onChange={set('destinationUrl')} hint="Where clicks go. Macros such as {transaction_id} and {aff_sub} are filled in." />
      <Field label="Preview URL" value={form.previewUrl} onChange={set('previewUrl')} />
      <Field label="Fallback URL" value={form.fallbackUrl} onChange={set('fallbackUrl')} hint="Where clicks go while the offer cannot take them" />
      <Select label="Visibility" value={form.visibility} onChange={set('visibility')} options={[{ value: 'open', label: 'Open to every partner' }, { value: 'approval', label: 'Partners apply for approval' }, { value: 'private', label: 'Private: by invitation' }]} />
      <fieldset>
        <legend>What the partner earns</legend>
        <Select label="Payout type" value={form.payoutType} onChange={set('payoutType')} options={PRICING} />
        <Field label="Payout amount" inputMode="decimal" value={form.payout} onChange={set('payout')} />
        <Field label="Payout percent of sale" inputMode="decimal" value={form.percentPayout} onChange={set('percentPayout')} />
      </fieldset>
      {user.role === 'network_admin' || user.role === 'advertiser' || user.role === 'agency' ? (
        <fieldset>
          <legend>What the advertiser pays</legend>
          <Select label="Revenue type" value={form.revenueType} onChange={set('revenueType')} options={PRICING} />
          <Field label="Revenue amount" inputMode="decimal" value={form.revenue} onChange={set('revenue')} />
          <Field label="Revenue percent of sale" inputMode="decimal" value={form.percentRevenue} onChange={set('percentRevenue')} />
          <Field label="Daily budget" inputMode="decimal" value={form.dailyBudget} onChange={set('dailyBudget')} hint="Empty: no limit" />
        </fieldset>
      ) : null}
      <fieldset>
        <legend>Targeting and rules</legend>
        <Field label="Countries" value={form.geoTargeting} onChange={set('geoTargeting')} hint="ISO codes, comma-separated (US, CA); empty: every country" />
        <Field label="Devices" value={form.deviceTargeting} onChange={set('deviceTargeting')} hint="desktop, mobile, tablet; empty: every device" />
        <fieldset className="pickers">
          <legend>Partner channels it takes (none checked: every channel)</legend>
          {(channels.data ?? []).map((channel) => (
            <label key={channel.id} className="check">
              <input
                type="checkbox"
                checked={form.channelIds.includes(channel.id)}
                onChange={(event) => setForm({ ...form, channelIds: event.target.checked ? [...form.channelIds, channel.id] : form.channelIds.filter((id) => id !== channel.id) })}
              />{' '}
              {channel.name}
            </label>
          ))}
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={form.allowDeepLink} onChange={check('allowDeepLink')} /> Partners may deep-link to other pages of the advertiser&apos;s site
        </label>
        <label className="check">
          <input type="checkbox" checked={form.approveConversions} onChange={check('approveConversions')} /> Conversions wait as pending until approved
        </label>
        <Field label="Hold period (hours)" inputMode="numeric" value={form.holdHours} onChange={set('holdHours')} hint="Pending conversions are approved after this many hours; empty: they wait" />
        <Field label="Ends on" type="date" value={form.endsAt} onChange={set('endsAt')} />
      </fieldset>
      {save.message && <Notice kind={save.message.kind}>{save.message.text}</Notice>}
      <button type="submit" className="primary" disabled={save.isPending}>
        {offer ? 'Save changes' : 'Create offer'}
      </button>
    </form>
  );
}

export function NewOfferPage() {
  const [, navigate] = useLocation();
  return (
    <>
      <PageTitle>Create an offer</PageTitle>
      <OfferForm onSaved={(offer) => navigate(`/offers/${offer.id}`)} />
    </>
  );
}
