import { todayIn } from '../lib/format.ts';

export const PRESETS = ['today', 'yesterday', 'last7', 'thisMonth', 'lastMonth', 'custom'] as const;
export type Preset = (typeof PRESETS)[number];
const PRESET_NAMES: Record<Preset, string> = {
  today: 'Today',
  yesterday: 'Yesterday',
  last7: 'Last 7 days',
  thisMonth: 'This month',
  lastMonth: 'Last month',
  custom: 'Custom',
};

/** The days a preset spans, in the network's zone. */
export function presetDays(preset: Preset, timeZone: string, custom: { from: string; to: string }): { from: string; to: string } {
  const today = todayIn(timeZone);
  const monthStart = `${today.slice(0, 8)}01`;
  const lastMonthEnd = new Date(`${monthStart}T12:00:00Z`);
  lastMonthEnd.setUTCDate(0);
  const lastEnd = lastMonthEnd.toISOString().slice(0, 10);
  switch (preset) {
    case 'today':
      return { from: today, to: today };
    case 'yesterday':
      return { from: todayIn(timeZone, -1), to: todayIn(timeZone, -1) };
    case 'last7':
      return { from: todayIn(timeZone, -6), to: today };
    case 'thisMonth':
      return { from: monthStart, to: today };
    case 'lastMonth':
      return { from: `${lastEnd.slice(0, 8)}01`, to: lastEnd };
    case 'custom':
      return { from: custom.from || today, to: custom.to || today };
  }
}

export function DateRange({ preset, from, to, onChange }: { preset: Preset; from: string; to: string; onChange: (change: { preset?: string; from?: string; to?: string }) => void }) {
  return (
    <fieldset className="date-range">
      <legend>Dates</legend>
      <label>
        Range{' '}
        <select value={preset} onChange={(event) => onChange({ preset: event.target.value })}>
          {PRESETS.map((name) => (
            <option key={name} value={name}>
              {PRESET_NAMES[name]}
            </option>
          ))}
        </select>
      </label>
      {preset === 'custom' && (
        <>
          <label>
            From <input type="date" value={from} onChange={(event) => onChange({ from: event.target.value })} />
          </label>
          <label>
            To <input type="date" value={to} onChange={(event) => onChange({ to: event.target.value })} />
          </label>
        </>
      )}
    </fieldset>
  );
}
