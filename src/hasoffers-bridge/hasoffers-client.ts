import qs from 'qs';
import { parseMoney } from '../shared/money.ts';

/** Calls a HasOffers (TUNE) network's API v3, as HasOffers' own clients do: a form POST with bracket parameters. */

export interface HasOffersNetworkAccess {
  apiUrl: string;
  networkId: string;
  networkToken: string;
}

/**
 * A call that failed. `refused`: the network answered and said no, so sending it again changes
 * nothing. Otherwise the outcome is unknown (no answer, an empty or broken one, a 5xx): the call
 * may have taken effect.
 */
export class HasOffersCallError extends Error {
  readonly refused: boolean;
  /** Set when the network asked to slow down: the call did nothing and may be sent after this long. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, refused: boolean, retryAfterMs?: number) {
    super(message);
    this.refused = refused;
    this.retryAfterMs = retryAfterMs;
  }
}

/** HasOffers allows a key 50 calls in 10 seconds and refuses the rest with this message. */
const RATE_LIMITED = /API usage exceeded rate limit/;
export const RATE_WINDOW_MS = 10_000;

const TIMEOUT_MS = 15_000;

export async function callHasOffers(access: HasOffersNetworkAccess, target: string, method: string, params: Record<string, unknown> = {}): Promise<unknown> {
  const body = qs.stringify({ NetworkId: access.networkId, NetworkToken: access.networkToken, Target: target, Method: method, ...params }, { arrayFormat: 'brackets' });
  let text: string;
  let status: number;
  try {
    const response = await fetch(`${access.apiUrl.replace(/\/+$/, '')}/Apiv3/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    throw new HasOffersCallError(`${target}::${method} got no answer (${(error as Error).message})`, false);
  }
  if (status >= 500 || text.trim() === '') throw new HasOffersCallError(`${target}::${method} answered HTTP ${status}${text.trim() === '' ? ' with nothing' : ''}`, false);
  let envelope: { response?: { status?: number; data?: unknown; errorMessage?: string | null; errors?: { publicMessage?: string } } };
  try {
    envelope = JSON.parse(text);
  } catch {
    throw new HasOffersCallError(`${target}::${method} answered HTTP ${status} with something other than JSON`, false);
  }
  const answer = envelope.response;
  // HasOffers refuses a wrong NetworkId before it runs anything, with only a public message.
  const before = answer && typeof answer.status !== 'number' && !Array.isArray(answer.errors) ? answer.errors?.publicMessage : undefined;
  if (before) throw new HasOffersCallError(`${target}::${method} was refused: ${before}`, true);
  if (!answer || typeof answer.status !== 'number') throw new HasOffersCallError(`${target}::${method} answered without HasOffers' envelope`, false);
  if (answer.status !== 1 && RATE_LIMITED.test(answer.errorMessage ?? '')) {
    throw new HasOffersCallError(`${target}::${method} was refused for now: ${answer.errorMessage}`, false, RATE_WINDOW_MS);
  }
  if (answer.status !== 1) throw new HasOffersCallError(`${target}::${method} was refused: ${answer.errorMessage ?? 'no reason given'}`, status < 500 && Boolean(answer.errorMessage));
  return answer.data;
}

/** An amount as HasOffers writes it (five decimals, or nothing for none), in micros. */
export const amountOf = (value: unknown): bigint => parseMoney(String(value ?? '0')) ?? 0n;

/** A call the network asked to make later (its 50 calls in 10 seconds were spent) is made then. */
export async function patiently<T>(call: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof HasOffersCallError) || error.retryAfterMs === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs));
    }
  }
}

type Row = Record<string, Record<string, unknown>>;

/** Every row of a find method, each with the models `contain[]` set beside the record, page by page: HasOffers pages them when `limit` is sent. */
export async function findAllRows(access: HasOffersNetworkAccess, target: string, method: string, params: Record<string, unknown> = {}): Promise<Row[]> {
  const rows: Row[] = [];
  for (let page = 1; ; page += 1) {
    const data = (await patiently(() => callHasOffers(access, target, method, { ...params, limit: 500, page }))) as { pageCount?: number; data?: Record<string, Row> | [] };
    rows.push(...Object.values(data.data ?? {}));
    if (!data.pageCount || page >= data.pageCount) return rows;
  }
}

/** Every record of a find method. */
export async function findAllRecords(access: HasOffersNetworkAccess, target: string, model: string, params: Record<string, unknown> = {}): Promise<Array<Record<string, string | null>>> {
  return (await findAllRows(access, target, 'findAll', params)).map((row) => row[model] as Record<string, string | null>);
}

/** Every row of a Report method (getStats, getConversions), its Stat fields, page by page. */
export async function reportRows(access: HasOffersNetworkAccess, method: string, params: Record<string, unknown>): Promise<Array<Record<string, string | null>>> {
  const rows: Array<Record<string, string | null>> = [];
  for (let page = 1; ; page += 1) {
    const data = (await patiently(() => callHasOffers(access, 'Report', method, { ...params, limit: 1000, page }))) as { pageCount: number; data: Array<{ Stat: Record<string, string | null> }> };
    rows.push(...data.data.map((row) => row.Stat));
    if (page >= data.pageCount) return rows;
  }
}
