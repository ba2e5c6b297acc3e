import { stringify } from 'csv-stringify/browser/esm/sync';

/** Saves rows as a CSV file, as the person sees them: the shown columns, with their headings. */
export function downloadCsv(fileName: string, headings: string[], rows: unknown[][]): void {
  const text = stringify([headings, ...rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '' : String(cell))))]);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  link.download = fileName;
  link.click();
  URL.revokeObjectURL(link.href);
}
