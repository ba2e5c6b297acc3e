import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema.ts';

type JsonOf<Response> = Response extends { content: { 'application/json': infer Body } } ? Body : never;

/** What an API path answers (its 200, else its 201), as the OpenAPI document says: never restated by hand. */
export type ApiData<Path extends keyof paths, Method extends keyof paths[Path] = 'get' & keyof paths[Path]> = paths[Path][Method] extends { responses: infer Responses }
  ? Responses extends { 200: infer Ok }
    ? JsonOf<Ok>
    : Responses extends { 201: infer Created }
      ? JsonOf<Created>
      : never
  : never;

/** The portal speaks to Partnerline's public API with the session cookie, like any other client. */
export const api = createClient<paths>({ baseUrl: '' });

let csrfToken: string | null = null;

/** The session's CSRF token, sent with every change (the API refuses cookie changes without it). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** An answer the API refused, with its message in the API's own words. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: string | undefined;
  constructor(status: number, message: string, problem?: string) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && csrfToken) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
};
api.use(csrf);

/** The data of an answer, or an ApiError with the API's message. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const body = (error ?? {}) as { error?: string; problem?: string };
    if (response.status === 401 && body.problem === undefined) window.dispatchEvent(new Event('partnerline:signed-out'));
    throw new ApiError(response.status, body.error ?? `The server answered ${response.status}`, body.problem);
  }
  return data as T;
}

/** A GET of any API path with a query, for the generic pages (reports, tables) that pick paths at run time. */
export async function getJson<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(name, String(value));
  const response = await fetch(`${path}${search.size > 0 ? `?${search}` : ''}`, { credentials: 'same-origin' });
  const body = response.headers.get('content-type')?.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    if (response.status === 401) window.dispatchEvent(new Event('partnerline:signed-out'));
    throw new ApiError(response.status, (body as { error?: string }).error ?? `The server answered ${response.status}`);
  }
  return body as T;
}

/** A change to any API path (JSON, or CSV text), with the CSRF token. */
export async function send<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const headers: Record<string, string> = {};
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = contentType;
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  if (!response.ok) throw new ApiError(response.status, (parsed as { error?: string }).error ?? `The server answered ${response.status}`, (parsed as { problem?: string }).problem);
  return parsed as T;
}

/** The same call as curl, ready to paste with one's own key: the portal teaches the API. */
export function curlFor(method: string, path: string, query: Record<string, string | number | undefined> = {}, body?: unknown): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(name, String(value));
  const url = `${window.location.origin}${path}${search.size > 0 ? `?${search}` : ''}`;
  const parts = [`curl -X ${method} '${url}'`, `-H "X-API-KEY: $PARTNERLINE_KEY"`];
  if (body !== undefined) parts.push(`-H 'Content-Type: application/json'`, `-d '${JSON.stringify(body).replaceAll("'", "'\\''")}'`);
  return parts.join(' \\\n  ');
}
