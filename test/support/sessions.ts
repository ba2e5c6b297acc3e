import assert from 'node:assert/strict';
import type { Reply, TestServer } from './test-server.ts';

/** Someone signed in to the portal's API: their session cookie and CSRF token, sent as a browser would. */
export interface SignedIn {
  cookie: string;
  csrfToken: string;
  request<T = any>(method: string, path: string, body?: unknown, options?: { csrf?: boolean }): Promise<Reply<T>>;
}

export function cookieOf(reply: Reply): string {
  const setCookie = reply.headers.get('set-cookie') ?? '';
  const pair = setCookie.split(';')[0]!;
  assert.match(pair, /^partnerline_session=./, `no session cookie was set: ${reply.status} ${reply.text}`);
  return pair;
}

export async function signIn(server: TestServer, email: string, password: string, code?: string): Promise<SignedIn> {
  const reply = await server.request('POST', '/api/v1/session', { body: { email, password, ...(code ? { code } : {}) } });
  assert.equal(reply.status, 200, reply.text);
  return sessionWith(server, cookieOf(reply), reply.body.csrfToken);
}

export function sessionWith(server: TestServer, cookie: string, csrfToken: string): SignedIn {
  return {
    cookie,
    csrfToken,
    request: (method, path, body, options = {}) =>
      server.request(method, `/api/v1${path}`, {
        body,
        headers: { cookie, ...(options.csrf === false || method === 'GET' ? {} : { 'x-csrf-token': csrfToken }) },
      }),
  };
}

export function demoPasswordOf(server: TestServer, email: string): string {
  return server.demo.accounts.find((account) => account.email === email)!.password!;
}
