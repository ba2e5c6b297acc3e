import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { type ApiData, getJson, send } from '../api/client.ts';
import { Field } from '../components/Field.tsx';
import { PageTitle } from '../components/Layout.tsx';
import { ErrorState, Loading, Notice } from '../components/States.tsx';
import { useAction } from '../lib/hooks.ts';

type Network = ApiData<'/api/v1/network'>;

export function SettingsPage() {
  const query = useQuery({ queryKey: ['network'], queryFn: () => getJson<Network>('/api/v1/network') });
  if (query.isPending) return <Loading what="the network's settings" />;
  if (query.isError) return <ErrorState error={query.error} what="the network's settings" />;
  return <SettingsForm network={query.data} />;
}

function SettingsForm({ network }: { network: Network }) {
  const [form, setForm] = useState({
    name: network.name,
    timeZone: network.timeZone,
    currency: network.currency,
    fallbackUrl: network.fallbackUrl ?? '',
    cpcPartnerSharePercent: String(network.cpcPartnerSharePercent),
    blockedIps: network.blockedIps.join(', '),
    blockedReferrers: network.blockedReferrers.join(', '),
    clickLimitPerIpPerHour: String(network.clickLimitPerIpPerHour),
    minSecondsToConversion: String(network.minSecondsToConversion),
    reviewBotConversions: network.reviewBotConversions,
  });
  const list = (text: string) => text.split(',').map((item) => item.trim()).filter(Boolean);
  const save = useAction(
    () =>
      send('PATCH', '/api/v1/network', {
        ...form,
        fallbackUrl: form.fallbackUrl || null,
        blockedIps: list(form.blockedIps),
        blockedReferrers: list(form.blockedReferrers),
        clickLimitPerIpPerHour: Number(form.clickLimitPerIpPerHour),
        minSecondsToConversion: Number(form.minSecondsToConversion),
      }),
    [['network'], ['session']],
    () => 'The settings are saved.',
  );
  const set = (field: keyof typeof form) => (event: { target: { value: string } }) => setForm({ ...form, [field]: event.target.value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(undefined);
  };
  return (
    <>
      <PageTitle intro="What holds for the whole network.">Network settings</PageTitle>
      <form onSubmit={submit} className="offer-form" aria-label="Network settings">
        <Field label="Network name" value={form.name} onChange={set('name')} />
        <Field label="Time zone" value={form.timeZone} onChange={set('timeZone')} hint="Reports, caps and budgets count local days in it, e.g. America/New_York" />
        <Field label="Currency" value={form.currency} onChange={set('currency')} hint="ISO code of new offers' currency" />
        <Field label="Fallback URL" value={form.fallbackUrl} onChange={set('fallbackUrl')} hint="Where refused clicks go when their offer has no fallback" />
        <Field label="Partner share of CPC bids (%)" inputMode="decimal" value={form.cpcPartnerSharePercent} onChange={set('cpcPartnerSharePercent')} />
        <fieldset>
          <legend>Fraud rules</legend>
          <Field label="Blocked addresses" value={form.blockedIps} onChange={set('blockedIps')} hint="IPs and CIDR ranges, comma-separated" />
          <Field label="Blocked referrers" value={form.blockedReferrers} onChange={set('blockedReferrers')} hint="Host names, comma-separated" />
          <Field label="Counted clicks per address an hour" inputMode="numeric" value={form.clickLimitPerIpPerHour} onChange={set('clickLimitPerIpPerHour')} hint="0: no limit" />
          <Field label="Minimum seconds from click to conversion" inputMode="numeric" value={form.minSecondsToConversion} onChange={set('minSecondsToConversion')} hint="0: no minimum" />
          <label className="check">
            <input type="checkbox" checked={form.reviewBotConversions} onChange={(event) => setForm({ ...form, reviewBotConversions: event.target.checked })} /> Hold conversions on bots&apos; clicks for review
          </label>
        </fieldset>
        <p>
          Maintenance is {network.maintenance ? 'on' : 'off'}. While it is on the APIs (and this portal) answer 503, so it is switched from the server: <code>npm run cli -- maintenance on</code>.
        </p>
        {save.message && <Notice kind={save.message.kind}>{save.message.text}</Notice>}
        <button type="submit" className="primary">
          Save settings
        </button>
      </form>
    </>
  );
}
