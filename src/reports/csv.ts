import { stringify } from 'csv-stringify/sync';

/** How a spreadsheet recognises a formula: partners choose sub-IDs and sources, so a cell could run one. */
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[-+]?\d+(\.\d+)?$/;

/** Text that a spreadsheet would run, made inert with a leading `'` (OWASP's advice); numbers, negative ones included, stay as they are. */
export function inertCell(value: string): string {
  return FORMULA_START.test(value) && !NUMBER.test(value) ? `'${value}` : value;
}

/** A report as CSV with a header row; values as they would appear in the JSON, formulas made inert. */
export function toCsv(columns: string[], rows: Array<Record<string, unknown>>): string {
  return stringify(
    rows.map((row) => columns.map((column) => row[column] ?? '')),
    { header: true, columns, cast: { string: inertCell } },
  );
}
