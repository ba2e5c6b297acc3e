/** How the portal writes numbers, money and times: money with its currency, times in the network's zone. */

export function formatMoney(amount: string | number | null | undefined, currency: string): string {
  if (amount === null || amount === undefined || amount === '') return '–';
  const value = Number(amount);
  return new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: Math.abs(value) < 1 && value !== 0 ? 4 : 2 }).format(value);
}

export function formatCount(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '–';
  return new Intl.NumberFormat('en-US').format(Number(value));
}

export function formatPercent(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '–';
  return `${Number(value).toFixed(2)}%`;
}

export function formatTime(value: string | null | undefined, timeZone: string): string {
  if (!value) return '–';
  return new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(value));
}

/** Today's date (YYYY-MM-DD) in a zone. */
export function todayIn(timeZone: string, offsetDays = 0): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  if (offsetDays === 0) return parts;
  const date = new Date(`${parts}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + offsetDays);
  return date.toISOString().slice(0, 10);
}

export const titleCase = (text: string) => text.replaceAll('_', ' ').replace(/^\w/, (letter) => letter.toUpperCase());
