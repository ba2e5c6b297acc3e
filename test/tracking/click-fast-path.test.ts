import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IPS, startTestServer, USER_AGENTS, type TestServer } from '../support/test-server.ts';

/**
 * Where clicks are not logged, /aff_c is answered ahead of Fastify's router; where they are (debug),
 * Fastify's route answers it. Both must give a visitor the same answer, behind the same proxies.
 */
describe('a click gets the same answer on the fast path and through the router', () => {
  let fast: TestServer;
  let routed: TestServer;
  // Loopback is the trusted proxy, named as a range: the forwarded address and protocol count.
  const env = { TRUST_PROXY: '127.0.0.0/8' };
  const forwarded = { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US, 'x-forwarded-proto': 'https' };

  before(async () => {
    fast = await startTestServer(env);
    routed = await startTestServer({ ...env, LOG_LEVEL: 'debug' });
  });
  after(async () => {
    await fast.close();
    await routed.close();
  });

  /** The answer's headers as a visitor sees them, its transaction id and the date set aside. */
  const answer = async (server: TestServer, method: string, path: string, headers: Record<string, string>) => {
    const reply = await server.request(method, path, { headers });
    const normal = (value: string) => value.replace(/[0-9a-f]{30}/g, 'TID').replace(/pl_vid=[\w-]+/g, 'pl_vid=ID');
    const seen: Record<string, string | string[]> = Object.fromEntries(
      [...reply.headers.entries()]
        .filter(([name]) => !['date', 'x-request-id', 'connection', 'keep-alive', 'transfer-encoding', 'set-cookie'].includes(name))
        .map(([name, value]) => [name, normal(value)]),
    );
    seen['set-cookie'] = reply.headers.getSetCookie().map(normal);
    return { status: reply.status, headers: seen, body: reply.text };
  };

  test('a counted click through a trusted proxy: the forwarded address decides, and https cookies are cross-site', async () => {
    const [springGear] = fast.demo.offerIds as [number];
    const [trailblazer] = fast.demo.partnerIds as [number];
    const path = `/aff_c?offer_id=${springGear}&aff_id=${trailblazer}&aff_sub=spring&aff_sub=ignored`;
    const fastAnswer = await answer(fast, 'GET', path, forwarded);
    assert.equal(fastAnswer.headers['x-partnerline-click'], 'counted');
    assert.deepEqual(fastAnswer.headers['set-cookie'], [
      'pl_vid=ID; Max-Age=31536000; Path=/; HttpOnly; Secure; SameSite=None',
      `pl_s${springGear}=TID; Max-Age=2592000; Path=/; HttpOnly; Secure; SameSite=None`,
    ]);
    assert.match(String(fastAnswer.headers.location), /[?&]sub=spring(&|$)/, 'the first of a repeated parameter counts');
    assert.deepEqual(await answer(routed, 'GET', path, forwarded), fastAnswer);
  });

  test('the same without a proxy, for a link checker (HEAD), for a returning visitor and for a refusal', async () => {
    const [springGear] = fast.demo.offerIds as [number];
    const [trailblazer] = fast.demo.partnerIds as [number];
    const cases: Array<[string, string, Record<string, string>]> = [
      ['GET', `/aff_c?offer_id=${springGear}&aff_id=${trailblazer}`, { 'user-agent': USER_AGENTS.iphone }],
      ['HEAD', `/aff_c?offer_id=${springGear}&aff_id=${trailblazer}`, forwarded],
      ['GET', `/aff_c?offer_id=${springGear}&aff_id=${trailblazer}`, { ...forwarded, cookie: 'theme=dark; pl_vid=returning-visitor' }],
      ['GET', '/aff_c?offer_id=999999&aff_id=1', forwarded],
      ['GET', '/aff_c', forwarded],
    ];
    for (const [method, path, headers] of cases) {
      const fastAnswer = await answer(fast, method, path, headers);
      assert.equal(fastAnswer.status, 302, `${method} ${path}`);
      assert.deepEqual(await answer(routed, method, path, headers), fastAnswer, `${method} ${path} ${JSON.stringify(headers)}`);
    }
    assert.equal((await answer(fast, 'HEAD', `/aff_c?offer_id=${springGear}&aff_id=${trailblazer}`, forwarded)).headers['x-partnerline-click'], 'bot');
    assert.equal((await fast.request('GET', '/aff_cx')).status, 404, 'a longer path is not a click');
    assert.equal((await fast.request('POST', `/aff_c?offer_id=${springGear}`)).status, 404, 'nor another method');
  });
  test('a short link: its counted click, a link checker, an unknown code; other paths under /t/ are the router\'s', async () => {
    const [springGear] = fast.demo.offerIds as [number];
    const [trailblazer] = fast.demo.partnerIds as [number];
    /** The same link made on each server, whose stores are their own: its code there. */
    const codeOn = async (server: TestServer) =>
      (await server.request('POST', '/api/v1/tracking-links', { key: server.keys.admin, body: { offerId: springGear, partnerId: trailblazer, params: { aff_sub: 'short' } } })).body
        .code as string;
    const [fastCode, routedCode] = [await codeOn(fast), await codeOn(routed)];
    const cases: Array<[string, string, Record<string, string>]> = [
      ['GET', '?aff_sub2=extra', forwarded],
      ['GET', '', { 'user-agent': USER_AGENTS.iphone }],
      ['HEAD', '', forwarded],
    ];
    for (const [method, query, headers] of cases) {
      const fastAnswer = await answer(fast, method, `/t/${fastCode}${query}`, headers);
      assert.equal(fastAnswer.status, 302, `${method} ${query}`);
      assert.deepEqual(await answer(routed, method, `/t/${routedCode}${query}`, headers), fastAnswer, `${method} ${query}`);
    }
    // The fast path's answer is not logged, so it carries no request id: that is how to tell which answered.
    const requestId = async (server: TestServer, path: string) => (await server.request('GET', path, { headers: forwarded })).headers.get('x-request-id');
    assert.deepEqual([await requestId(fast, `/t/${fastCode}`), await requestId(fast, '/aff_c')], [null, null], 'the fast path answered');
    assert.notEqual(await requestId(routed, `/t/${routedCode}`), null, 'the router answered');
    const counted = await answer(fast, 'GET', `/t/${fastCode}?aff_sub=mine`, forwarded);
    assert.equal(counted.headers['x-partnerline-click'], 'counted');
    assert.match(String(counted.headers.location), /[?&]sub=short(&|$)/, "the link's own values stand over the visitor's");
    for (const path of ['/t/nosuchcode', '/t/UPPER', '/t/%7A%7A%7A%7A%7A%7A', '/t/abcdefgh/more']) {
      const fastAnswer = await answer(fast, 'GET', path, forwarded);
      assert.equal(fastAnswer.status, 404, path);
      assert.deepEqual(await answer(routed, 'GET', path, forwarded), fastAnswer, path);
    }
  });
});
