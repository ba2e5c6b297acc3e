import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IPS, startTestServer, USER_AGENTS, type TestServer } from '../support/test-server.ts';

describe('API documentation and health', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('an OpenAPI 3.1 document describes every API endpoint and the key it needs', async () => {
    const reply = await server.request('GET', '/doc/affiliate.json');
    assert.equal(reply.status, 200);
    const doc = reply.body;
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(doc.components.securitySchemes.apiKey, { type: 'apiKey', in: 'header', name: 'X-API-KEY' });
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const expected = [
      'GET /affiliate/v2/categories',
      'GET /affiliate/v2/channels',
      'GET /affiliate/v2/advertisers',
      'POST /affiliate/v2/advertisers',
      'GET /affiliate/v2/advertisers/{id}',
      'PUT /affiliate/v2/advertisers/{id}',
      'GET /affiliate/v2/campaigns',
      'POST /affiliate/v2/campaigns',
      'GET /affiliate/v2/campaigns/{id}',
      'PUT /affiliate/v2/campaigns/{id}',
      'POST /affiliate/v2/campaigns/{id}',
      'POST /affiliate/v2/campaigns/{id}/bid-factor',
      'POST /affiliate/v2/campaigns/{id}/bid-factors',
      'GET /affiliate/v2/control-lists',
      'POST /affiliate/v2/control-lists',
      'GET /affiliate/v2/control-lists/{id}',
      'PUT /affiliate/v2/control-lists/{id}',
      'GET /affiliate/v2/stats/by-campaign',
      'GET /affiliate/v2/stats/campaigns/{campaignId}/by-publisher',
      'GET /api/v1/keys',
      'POST /api/v1/keys',
      'POST /api/v1/keys/{id}/refresh',
      'DELETE /api/v1/keys/{id}',
      'GET /api/v1/network',
      'PATCH /api/v1/network',
      'GET /api/v1/offers/{id}/goals',
      'POST /api/v1/offers/{id}/goals',
      'PATCH /api/v1/offers/{id}/goals/{goalId}',
      'GET /api/v1/offers/{id}/caps',
      'PUT /api/v1/offers/{id}/caps',
      'DELETE /api/v1/offers/{id}/caps/{capId}',
      'GET /api/v1/offers/{id}/partner-payouts',
      'GET /api/v1/offers/{id}/partner-revenues',
      'GET /api/v1/offers/{id}/volume-payouts',
      'PUT /api/v1/offers/{id}/partner-payouts',
      'PUT /api/v1/offers/{id}/partner-revenues',
      'PUT /api/v1/offers/{id}/volume-payouts',
      'DELETE /api/v1/offers/{id}/partner-payouts/{payoutId}',
      'DELETE /api/v1/offers/{id}/partner-revenues/{revenueId}',
      'GET /api/v1/partner-tiers',
      'POST /api/v1/partner-tiers',
      'GET /api/v1/partner-tiers/{id}',
      'PATCH /api/v1/partner-tiers/{id}',
      'DELETE /api/v1/partner-tiers/{id}',
      'PUT /api/v1/partner-tiers/{id}/partners/{partnerId}',
      'DELETE /api/v1/partner-tiers/{id}/partners/{partnerId}',
      'POST /api/v1/conversions',
      'GET /api/v1/clicks/{transactionId}',
      'GET /api/v1/conversions',
      'GET /api/v1/conversions/{id}',
      'POST /api/v1/conversions/{id}/approve',
      'POST /api/v1/conversions/{id}/reject',
      'POST /api/v1/conversions/{id}/reverse',
      'POST /api/v1/conversions/{id}/adjust',
      'POST /api/v1/conversions/{id}/reattribute',
      'POST /api/v1/conversions/batch',
      'GET /api/v1/postbacks',
      'POST /api/v1/postbacks',
      'POST /api/v1/postbacks/{id}/test',
      'DELETE /api/v1/postbacks/{id}',
      'PATCH /api/v1/postbacks/{id}',
      'GET /api/v1/postbacks/{id}/deliveries',
      'GET /api/v1/refused-conversions',
      'GET /api/v1/reports/refused-clicks',
      'POST /api/v1/deliveries/{id}/replay',
      'GET /api/v1/notifications',
      'POST /api/v1/notifications/read',
      'POST /api/v1/tracking-links',
      'GET /api/v1/reports/stats',
      'POST /api/v1/session',
      'GET /api/v1/session',
      'DELETE /api/v1/session',
      'POST /api/v1/session/sign-out-everywhere',
      'POST /api/v1/password-reset',
      'POST /api/v1/password-reset/complete',
      'POST /api/v1/invitations/accept',
      'POST /api/v1/email-confirmation',
      'POST /api/v1/me/password',
      'POST /api/v1/me/two-factor',
      'DELETE /api/v1/me/two-factor',
      'POST /api/v1/me/two-factor/confirm',
      'GET /api/v1/users',
      'POST /api/v1/users',
      'GET /api/v1/users/{id}',
      'PATCH /api/v1/users/{id}',
      'POST /api/v1/users/{id}/invitation',
      'POST /api/v1/partner-applications',
      'GET /api/v1/partner-applications',
      'POST /api/v1/partner-applications/{id}/approve',
      'POST /api/v1/partner-applications/{id}/reject',
      'POST /api/v1/api-access-requests',
      'GET /api/v1/api-access-requests',
      'POST /api/v1/api-access-requests/{id}/approve',
      'POST /api/v1/api-access-requests/{id}/reject',
      'GET /api/v1/audit-log',
      'GET /api/v1/hasoffers-networks',
      'POST /api/v1/hasoffers-networks',
      'GET /api/v1/hasoffers-networks/{id}',
      'PATCH /api/v1/hasoffers-networks/{id}',
      'DELETE /api/v1/hasoffers-networks/{id}',
      'GET /api/v1/hasoffers-networks/{id}/links',
      'PUT /api/v1/hasoffers-networks/{id}/offers/{offerId}',
      'PUT /api/v1/hasoffers-networks/{id}/partners/{partnerId}',
      'POST /api/v1/hasoffers-networks/{id}/link-by-name',
      'POST /api/v1/hasoffers-networks/{id}/link-imported',
      'GET /api/v1/hasoffers-networks/{id}/sync',
      'GET /api/v1/hasoffers-networks/{id}/sync/calls',
      'POST /api/v1/hasoffers-networks/{id}/sync/replay',
      'POST /api/v1/hasoffers-networks/{id}/reconciliations',
      'GET /api/v1/hasoffers-networks/{id}/reconciliations',
      'GET /api/v1/hasoffers-networks/{id}/reconciliations/{reconciliationId}',
      'POST /api/v1/hasoffers-networks/{id}/reconciliations/{reconciliationId}/repair',
      'POST /api/v1/hasoffers-imports',
      'GET /api/v1/hasoffers-imports',
      'GET /api/v1/hasoffers-imports/{id}',
      'GET /api/v1/partners',
      'POST /api/v1/partners',
      'GET /api/v1/partners/{id}',
      'PATCH /api/v1/partners/{id}',
      'GET /api/v1/advertisers',
      'POST /api/v1/advertisers',
      'GET /api/v1/advertisers/{id}',
      'PATCH /api/v1/advertisers/{id}',
      'GET /api/v1/agencies',
      'POST /api/v1/agencies',
      'PATCH /api/v1/agencies/{id}',
      'GET /api/v1/agencies/{id}',
      'GET /api/v1/offers',
      'POST /api/v1/offers',
      'GET /api/v1/offers/{id}',
      'PATCH /api/v1/offers/{id}',
      'POST /api/v1/offers/{id}/pause',
      'POST /api/v1/offers/{id}/activate',
      'POST /api/v1/offers/{id}/archive',
      'GET /api/v1/offers/{id}/landing-pages',
      'POST /api/v1/offers/{id}/landing-pages',
      'DELETE /api/v1/offers/{id}/landing-pages/{pageId}',
      'GET /api/v1/offers/{id}/creatives',
      'POST /api/v1/offers/{id}/creatives',
      'DELETE /api/v1/offers/{id}/creatives/{creativeId}',
      'GET /api/v1/creatives/{id}',
      'GET /api/v1/marketplace',
      'GET /api/v1/marketplace/{id}',
      'POST /api/v1/offers/{id}/applications',
      'GET /api/v1/offer-applications',
      'POST /api/v1/offers/{id}/applications/{partnerId}/approve',
      'POST /api/v1/offers/{id}/applications/{partnerId}/reject',
      'GET /api/v1/dashboard',
      'GET /aff_c',
      'GET /t/{code}',
      'GET /aff_i',
      'GET /aff_lsr',
      'GET /aff_l',
      'GET /aff_goal',
    ];
    assert.deepEqual(operations.sort(), expected.sort());
    const create = doc.paths['/affiliate/v2/campaigns'].post;
    assert.deepEqual(create.security, [{ apiKey: [] }]);
    assert.ok(create.requestBody.content['application/json'].schema.required.includes('strategyId'));
    const click = doc.paths['/aff_c'].get;
    assert.equal(click.security, undefined);
    assert.ok(['offer_id', 'aff_id', 'aff_sub5', 'url'].every((name) => click.parameters.some((parameter: { name: string }) => parameter.name === name)));
    assert.ok(doc.paths['/aff_lsr'].get.responses['200'].content['application/json'].schema.properties.status_code);
  });

  test('an interactive page lets a user authorize and try the endpoints', async () => {
    const page = await fetch(`${server.url}/doc/affiliate/`, { redirect: 'follow' });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /swagger-ui/i);
  });

  test('the documentation says how to get a key, and leads to the HasOffers API\'s own page', async () => {
    const doc = (await server.request('GET', '/doc/affiliate.json')).body;
    assert.match(doc.info.description, /Getting a key/);
    assert.match(doc.info.description, /\[\/doc\/hasoffers\]\(\/doc\/hasoffers\)/);
    const page = await server.request('GET', '/doc/hasoffers');
    assert.equal(page.status, 200);
    assert.match(page.text, /^# The HasOffers\/TUNE API v3/);
    assert.match(page.text, /NetworkToken/);
  });

  test('liveness and readiness', async () => {
    assert.deepEqual((await server.request('GET', '/healthz')).body, { status: 'ok' });
    const ready = await server.request('GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'ready');
    assert.equal(ready.body.store, server.store.kind);
    assert.equal(typeof ready.body.trafficWaiting, 'number');
    assert.deepEqual(ready.body.hasOffersSync, { queued: 0, parked: 0, behindSeconds: 0 });
  });

  test('readiness tells how many clicks wait in memory to be stored', async () => {
    const slow = await startTestServer({ TRUST_PROXY: 'true', CLICK_BATCH_MS: '600000' });
    try {
      const offerId = slow.demo.offerIds[1]!;
      const click = await slow.request('GET', `/aff_c?offer_id=${offerId}&aff_id=${slow.demo.partnerIds[0]}`, {
        headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US },
      });
      assert.equal(click.headers.get('x-partnerline-click'), 'counted');
      assert.equal((await slow.request('GET', '/readyz')).body.trafficWaiting, 1);
      await slow.platform.tracker.writer.flush();
      assert.equal((await slow.request('GET', '/readyz')).body.trafficWaiting, 0);
    } finally {
      await slow.close();
    }
  });

  test("every answer carries a request id, and a caller's own id is kept", async () => {
    const own = await server.request('GET', '/healthz', { headers: { 'x-request-id': 'trace-123' } });
    assert.equal(own.headers.get('x-request-id'), 'trace-123');
    const generated = await server.request('GET', '/healthz');
    assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });
});
