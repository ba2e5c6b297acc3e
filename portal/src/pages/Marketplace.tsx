import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { Link } from 'wouter';
import { type ApiData, getJson, send } from '../api/client.ts';
import { DataTable } from '../components/DataTable.tsx';
import { Field, Select, TextArea } from '../components/Field.tsx';
import { PageTitle } from '../components/Layout.tsx';
import { ErrorState, Loading, Notice } from '../components/States.tsx';
import { useAction } from '../lib/hooks.ts';
import { useUrlState } from '../lib/url-state.ts';
import { Creatives } from './Creatives.tsx';
import { LinkBuilder } from './LinkBuilder.tsx';
import { pricing } from './Offers.tsx';

type MarketOffer = ApiData<'/api/v1/marketplace/{id}'>;

const STANDING: Record<string, string> = { approved: 'Approved: you may promote it', pending: 'Application waiting', rejected: 'Application rejected' };
const standing = (offer: MarketOffer) => (offer.applicationStatus ? (STANDING[offer.applicationStatus] ?? offer.applicationStatus) : 'Apply to promote it');
const DEFAULTS = { status: '', search: '' };

export function MarketplacePage() {
  const [state, setState] = useUrlState(DEFAULTS);
  const query = useQuery({ queryKey: ['marketplace', state.status, state.search], queryFn: () => getJson<MarketOffer[]>('/api/v1/marketplace', { status: state.status || undefined, search: state.search || undefined }) });
  const column = createColumnHelper<MarketOffer>();
  const columns = [
    column.accessor('id', { header: 'ID' }),
    column.accessor('name', { header: 'Offer', cell: (info) => <Link href={`/marketplace/${info.row.original.id}`}>{info.getValue()}</Link> }),
    column.accessor('advertiserName', { header: 'Advertiser' }),
    column.accessor('category', { header: 'Category' }),
    column.accessor((offer) => pricing(offer.payoutType, offer.payout, offer.percentPayout, offer.currency), { id: 'payout', header: 'Your payout' }),
    column.accessor(standing, { id: 'standing', header: 'Standing' }),
  ];
  return (
    <>
      <PageTitle intro="Offers open to you and those you may apply to, each with your own payout.">Marketplace</PageTitle>
      <div className="filters">
        <Select
          label="Show"
          value={state.status}
          onChange={(event) => setState({ status: event.target.value })}
          options={[
            { value: '', label: 'Every offer' },
            { value: 'approved', label: 'Offers I may promote' },
            { value: 'available', label: 'Offers I may apply to' },
          ]}
        />
        <Field label="Search" type="search" value={state.search} onChange={(event) => setState({ search: event.target.value })} />
      </div>
      {query.isPending ? (
        <Loading what="offers" />
      ) : query.isError ? (
        <ErrorState error={query.error} what="the marketplace" />
      ) : (
        <DataTable caption="Marketplace offers" columns={columns} data={query.data} request={{ path: '/api/v1/marketplace', query: { status: state.status || undefined } }} csvName="marketplace.csv" empty="No offers match." />
      )}
    </>
  );
}

export function MarketplaceOfferPage({ id }: { id: string }) {
  const query = useQuery({ queryKey: ['marketplace-offer', id], queryFn: () => getJson<MarketOffer>(`/api/v1/marketplace/${id}`) });
  const [note, setNote] = useState('');
  const apply = useAction(() => send('POST', `/api/v1/offers/${id}/applications`, note ? { note } : {}), [['marketplace-offer', id], ['marketplace']], () => 'Your application is sent.');
  if (query.isPending) return <Loading what="the offer" />;
  if (query.isError) return <ErrorState error={query.error} what="this offer" />;
  const offer = query.data;
  return (
    <>
      <PageTitle intro={`${offer.advertiserName}${offer.category ? ` · ${offer.category}` : ''}`}>{offer.name}</PageTitle>
      {offer.description && <p>{offer.description}</p>}
      <dl className="facts">
        <div>
          <dt>Your payout</dt>
          <dd>
            {pricing(offer.payoutType, offer.payout, offer.percentPayout, offer.currency)} <small>({offer.payoutRule === 'offer' ? "the offer's payout" : `your ${offer.payoutRule}`})</small>
          </dd>
        </div>
        <div>
          <dt>Standing</dt>
          <dd data-testid="standing">
            {standing(offer)}
            {offer.applicationReason ? `: ${offer.applicationReason}` : ''}
          </dd>
        </div>
        <div>
          <dt>Countries</dt>
          <dd>{offer.geoTargeting.length ? offer.geoTargeting.join(', ') : 'Every country'}</dd>
        </div>
        <div>
          <dt>Devices</dt>
          <dd>{offer.deviceTargeting.length ? offer.deviceTargeting.join(', ') : 'Every device'}</dd>
        </div>
        <div>
          <dt>Caps</dt>
          <dd>{offer.caps.length ? offer.caps.map((cap) => `${cap.limit} ${cap.metric} a ${cap.period}${cap.partnerOnly ? ' (yours)' : ''}`).join('; ') : 'None'}</dd>
        </div>
        <div>
          <dt>Landing pages</dt>
          <dd>{offer.landingPages.length ? offer.landingPages.map((page) => `${page.id}: ${page.name}`).join('; ') : 'The offer\'s own'}</dd>
        </div>
        {offer.previewUrl && (
          <div>
            <dt>Preview</dt>
            <dd>
              <a href={offer.previewUrl} target="_blank" rel="noreferrer">
                {offer.previewUrl}
              </a>
            </dd>
          </div>
        )}
      </dl>
      {offer.applicationStatus === 'approved' ? (
        <>
          <LinkBuilder offerId={offer.id} allowDeepLink={offer.allowDeepLink} />
          <Creatives offerId={offer.id} manage={false} />
        </>
      ) : offer.applicationStatus === 'pending' ? (
        <Notice kind="ok">Your application is waiting for the advertiser.</Notice>
      ) : (
        <form
          className="inline-form"
          aria-label="Apply to this offer"
          onSubmit={(event) => {
            event.preventDefault();
            apply.mutate(undefined);
          }}
        >
          <TextArea label="A note for the advertiser" value={note} onChange={(event) => setNote(event.target.value)} hint="How you will promote the offer" />
          <button type="submit" className="primary" disabled={apply.isPending}>
            Apply to promote this offer
          </button>
        </form>
      )}
      {apply.message && <Notice kind={apply.message.kind}>{apply.message.text}</Notice>}
    </>
  );
}
