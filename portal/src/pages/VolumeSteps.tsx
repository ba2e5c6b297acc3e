import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { type ApiData, getJson, send } from '../api/client.ts';
import { Field, Select } from '../components/Field.tsx';
import { Empty, ErrorState, Loading, Notice } from '../components/States.tsx';
import { useAction } from '../lib/hooks.ts';

type Schedule = ApiData<'/api/v1/offers/{id}/volume-payouts'>[number];
type Step = Schedule['steps'][number];

/** Payouts that rise with each partner's volume on the offer's default conversion: add or clear steps. */
export function VolumeSteps({ offerId }: { offerId: number }) {
  const path = `/api/v1/offers/${offerId}/volume-payouts`;
  const query = useQuery({ queryKey: [path], queryFn: () => getJson<Schedule[]>(path) });
  const current = query.data?.find((schedule) => schedule.goalId === null);
  const [form, setForm] = useState({ period: 'month', fromConversion: '', payout: '' });
  const save = useAction(
    (steps: Array<Pick<Step, 'fromConversion' | 'payout'>>) => send('PUT', path, { period: current?.period ?? form.period, steps }),
    [[path]],
    () => 'The volume steps are saved.',
  );
  const existing = current?.steps.map((step) => ({ fromConversion: step.fromConversion, payout: step.payout })) ?? [];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate([...existing, { fromConversion: Number(form.fromConversion), payout: form.payout }]);
  };
  return (
    <section aria-label="Volume payouts" className="list-section">
      <h2>Volume payouts</h2>
      <p>From a partner&apos;s Nth conversion in the period, it earns the step&apos;s payout instead of the offer&apos;s.</p>
      {query.isPending ? (
        <Loading what="volume steps" />
      ) : query.isError ? (
        <ErrorState error={query.error} what="volume steps" />
      ) : !current ? (
        <Empty>No volume steps: every conversion earns the offer&apos;s payout.</Empty>
      ) : (
        <ul>
          {current.steps.map((step) => (
            <li key={step.fromConversion}>
              From conversion {step.fromConversion} in a {current.period}: {step.payoutType} {step.payout}
              {step.percentPayout ? ` + ${step.percentPayout}%` : ''}
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit} className="inline-form" aria-label="Add a volume step">
        {!current && <Select label="Counted per" value={form.period} onChange={(event) => setForm({ ...form, period: event.target.value })} options={['day', 'week', 'month', 'lifetime'].map((value) => ({ value, label: value }))} />}
        <Field label="From conversion" inputMode="numeric" value={form.fromConversion} onChange={(event) => setForm({ ...form, fromConversion: event.target.value })} hint="2 or more" />
        <Field label="Step payout" inputMode="decimal" value={form.payout} onChange={(event) => setForm({ ...form, payout: event.target.value })} />
        <button type="submit" disabled={!form.fromConversion || !form.payout}>
          Add step
        </button>
        {current && (
          <button type="button" onClick={() => save.mutate([])}>
            Clear steps
          </button>
        )}
      </form>
      {save.message && <Notice kind={save.message.kind}>{save.message.text}</Notice>}
    </section>
  );
}
