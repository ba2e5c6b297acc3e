import type { FastifyReply } from 'fastify';
import { toCsv } from '../reports/csv.ts';

/** A report answered as JSON, or as a CSV file of its rows when the caller asked for format=csv. */
export function sendReport(reply: FastifyReply, format: 'json' | 'csv' | undefined, columns: string[], rows: Array<Record<string, unknown>>, json: unknown): FastifyReply {
  if (format === 'csv') {
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="report.csv"').send(toCsv(columns, rows));
  }
  return reply.send(json);
}
