/** Ids are PostgreSQL integers: a larger number is no id, and would fail the statement that used it. */
export const MAX_ID = 2_147_483_647;

/** An id written in decimal digits, 0 included; undefined for anything else or beyond MAX_ID. */
export function parseId(text: string): number | undefined {
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const value = Number(text);
  return value <= MAX_ID ? value : undefined;
}
