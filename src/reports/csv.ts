import { stringify } from 'csv-stringify/sync';

/** A report as CSV with a header row; values as they would appear in the JSON. */
export function toCsv(columns: string[], rows: Array<Record<string, unknown>>): string {
  return stringify(
    rows.map((row) => columns.map((column) => row[column] ?? '')),
    { header: true, columns },
  );
}
