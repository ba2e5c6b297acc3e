import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { getJson, send } from '../api/client.ts';
import { useSession } from '../api/session.tsx';
import { Field } from '../components/Field.tsx';
import { PageTitle } from '../components/Layout.tsx';
import { ListSection } from '../components/ListSection.tsx';
import { ErrorState, Loading, Notice } from '../components/States.tsx';
import { useAction } from '../lib/hooks.ts';
import { Creatives } from './Creatives.tsx';
import { LinkBuilder } from './LinkBuilder.tsx';
import { VolumeSteps } from './VolumeSteps.tsx';
import { OfferApplications } from './Applications.tsx';
import { OfferForm, PRICING, type Offer } from './Offers.tsx';

const CPA = PRICING.filter((option) => option.value.startsWith('cpa'));

export function OfferDetailPage({ id }: { id: string }) {
  const { user } = useSession();
  const query = useQuery({ queryKey: ['offer', id], queryFn: () => getJson<Offer>(`/api/v1/offers/${id}`) });
  const status = useAction((action: 'pause' | 'activate' | 'archive') => send<Offer>('POST', `/api/v1/offers/${id}/${action}`, {}), [['offer', id], ['offers']], (offer) => `The offer is now ${offer.status}.`);
  if (query.isPending) return <Loading what="the offer" />;
  if (query.isError) return <ErrorState error={query.error} what="this offer" />;
  const offer = query.data;
  const base = `/api/v1/offers/${offer.id}`;
  return (
    <>
      <PageTitle intro={`${offer.advertiserName} · ${offer.status} · ${offer.visibility}`}>{offer.name}</PageTitle>
      <div className="actions">
        {offer.status !== 'active' && offer.status !== 'deleted' && (
          <button type="button" onClick={() => status.mutate('activate')}>
            Activate
          </button>
        )}
        {offer.status === 'active' && (
          <button type="button" onClick={() => status.mutate('pause')}>
            Pause
          </button>
        )}
        {offer.status !== 'deleted' && (
          <button type="button" className="danger" onClick={() => window.confirm('Archive this offer? It cannot change afterwards.') && status.mutate('archive')}>
            Archive
          </button>
        )}
      </div>
      {status.message && <Notice kind={status.message.kind}>{status.message.text}</Notice>}
      <details open>
        <summary>Settings</summary>
        <OfferForm key={offer.createdAt + offer.status} offer={offer} onSaved={() => undefined} />
      </details>
      <Integration offer={offer} />
      <ListSection
        title="Landing pages"
        path={`${base}/landing-pages`}
        columns={['id', 'name', 'url']}
        fields={[
          { name: 'name', label: 'Name' },
          { name: 'url', label: 'URL', hint: 'Tracking links pick it with url_id' },
        ]}
        addLabel="Add landing page"
        removable
      />
      <ListSection
        title="Goals"
        path={`${base}/goals`}
        columns={['id', 'name', 'payoutType', 'payout', 'revenueType', 'revenue', 'status']}
        fields={[
          { name: 'name', label: 'Goal name' },
          { name: 'payoutType', label: 'Payout type', options: CPA },
          { name: 'payout', label: 'Payout' },
          { name: 'revenueType', label: 'Revenue type', options: CPA },
          { name: 'revenue', label: 'Revenue' },
        ]}
        addLabel="Add goal"
      />
      <ListSection
        title="Caps"
        path={`${base}/caps`}
        method="PUT"
        columns={['id', 'metric', 'period', 'limit', 'partnerId', 'goalId']}
        fields={[
          { name: 'metric', label: 'Metric', options: ['clicks', 'conversions', 'payout', 'revenue', 'budget'].map((value) => ({ value, label: value })) },
          { name: 'period', label: 'Period', options: ['day', 'week', 'month', 'lifetime'].map((value) => ({ value, label: value })) },
          { name: 'limit', label: 'Limit' },
          { name: 'partnerId', label: 'Only for partner (id)', number: true, optional: true, hint: 'Empty: the whole offer' },
        ]}
        addLabel="Set cap"
        removable
      />
      {user.role === 'network_admin' &&
        (['payout', 'revenue'] as const).map((side) => (
          <ListSection
            key={side}
            title={`Partner ${side}s`}
            path={`${base}/partner-${side}s`}
            method="PUT"
            columns={['id', 'partnerId', 'tierId', 'goalId', `${side}Type`, side, `percent${side[0]!.toUpperCase()}${side.slice(1)}`]}
            fields={[
              { name: 'partnerId', label: 'Partner id', number: true, optional: true },
              { name: 'tierId', label: 'Or tier id', number: true, optional: true, hint: 'Every partner of the tier' },
              { name: `${side}Type`, label: `${side[0]!.toUpperCase()}${side.slice(1)} type`, options: PRICING },
              { name: side, label: `${side[0]!.toUpperCase()}${side.slice(1)}` },
            ]}
            addLabel={`Set partner ${side}`}
            removable
          />
        ))}
      {user.role !== 'partner' && <VolumeSteps offerId={offer.id} />}
      <Creatives offerId={offer.id} manage={offer.status !== 'deleted'} />
      <OfferApplications offerId={offer.id} />
      {user.role === 'network_admin' && <LinkBuilder offerId={offer.id} allowDeepLink={offer.allowDeepLink} choosePartner />}
    </>
  );
}

/** What the advertiser installs: the postback and the pixel, with the security token, and a test conversion. */
function Integration({ offer }: { offer: Offer }) {
  const advertiser = useQuery({ queryKey: ['advertiser', offer.advertiserId], queryFn: () => getJson<{ conversionSecurityToken: string | null }>(`/api/v1/advertisers/${offer.advertiserId}`) });
  const [transactionId, setTransactionId] = useState('');
  const [amount, setAmount] = useState('');
  const test = useAction(
    () => send<{ conversion?: { id: string; status: string } }>('POST', '/api/v1/conversions', { transactionId, orderId: `TEST-${Date.now()}`, ...(amount ? { saleAmount: amount } : {}) }),
    [['conversions']],
    (result) => `Test conversion recorded: ${result.conversion?.id} (${result.conversion?.status}).`,
  );
  const origin = window.location.origin;
  const token = advertiser.data?.conversionSecurityToken;
  const tokenPart = token ? `&security_token=${token}` : '';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    test.mutate(undefined);
  };
  return (
    <section aria-label="Integration" className="list-section">
      <h2>Conversion tracking to install</h2>
      <p>Server postback (best): call it from your server when an order completes.</p>
      <pre className="curl" tabIndex={0}>{`${origin}/aff_lsr?transaction_id={transaction_id}&amount={sale_amount}&adv_sub={order_id}${tokenPart}`}</pre>
      <p>Or a pixel on the thank-you page:</p>
      <pre className="curl" tabIndex={0}>{`<img src="${origin}/aff_l?offer_id=${offer.id}&amount={sale_amount}&adv_sub={order_id}" width="1" height="1" alt="" />`}</pre>
      {token ? <p>Security token: <code>{token}</code> (postbacks without it are refused).</p> : <p>No security token is set: any caller who knows a transaction id can post a conversion.</p>}
      <h3>Test a conversion</h3>
      <p>Open a tracking link for this offer, copy the transaction id your landing page received (tid=…), and record a conversion for it.</p>
      <form onSubmit={submit} className="inline-form" aria-label="Test conversion">
        <Field label="Transaction id" required value={transactionId} onChange={(event) => setTransactionId(event.target.value)} />
        <Field label="Sale amount" inputMode="decimal" value={amount} onChange={(event) => setAmount(event.target.value)} />
        <button type="submit" disabled={!transactionId || test.isPending}>
          Record test conversion
        </button>
      </form>
      {test.message && <Notice kind={test.message.kind}>{test.message.text}</Notice>}
    </section>
  );
}
