import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { documentedOperations, type JsonSchema, type Operation } from '../support/routes.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

/**
 * Bad input at every documented route, generated from the OpenAPI document with a fixed seed and a
 * bounded count (FUZZ_SEED and FUZZ_RUNS change them): no answer is a server error, the server
 * stays ready, and a refused request changes nothing in the store.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const RUNS = Number(process.env.FUZZ_RUNS ?? 6);

/** What an API client, a scanner or a broken integration may send in place of any value. */
const junkText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '0', '-1', '1e309', 'NaN', '1.5', '99999999999999999999', "'; DROP TABLE offers; --", '%00', '\u0000', 'a\r\nb', '\u{1F600}', '../../etc', '{id}', '__proto__', 'null', 'true'),
  // Long values, at and around the limits where the server cuts or refuses them.
  fc.oneof(fc.nat(3000), fc.constantFrom(254, 255, 256, 998, 999, 1000)).map((length) => `${'x'.repeat(length)}\u{1F600}`),
);
const junkValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    junkText,
    fc.integer(),
    fc.double(),
    fc.constantFrom(null, true, false, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, 0, -1),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** A value the schema takes, or near it: an enum member, an integer at or past its bounds, a string at its length. */
function plausible(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants && variants.length > 0) return fc.oneof(...variants.map(plausible));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'integer':
      return fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(schema.minimum ?? 0, schema.maximum ?? 2 ** 31, (schema.maximum ?? 2 ** 31) + 1));
    case 'number':
      return fc.oneof(fc.double({ noNaN: true, min: -1e12, max: 1e12 }), fc.constantFrom(0.1, 1e-7, 123.456789));
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(schema.items ? plausible(schema.items) : junkValue, { maxLength: 4 });
    case 'object':
      return objectOf(schema);
    default:
      return fc.oneof(fc.string({ maxLength: (schema.maxLength ?? 40) + 2 }), fc.constantFrom('2026-12-06', 'https://example.com/{transaction_id}', 'US', 'USD'));
  }
}

function objectOf(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const properties = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, property]) => [name, fc.oneof(plausible(property), junkValue)]));
  return fc
    .tuple(fc.record(properties, { requiredKeys: [] }), fc.dictionary(fc.string({ maxLength: 10 }), junkValue, { maxKeys: 2 }))
    .map(([known, extra]) => ({ ...extra, ...known }));
}

/** One request to an operation: its path filled, a query and a body, each plausible or junk. */
function requestOf(operation: Operation) {
  const param = fc.oneof(fc.integer({ min: -2, max: 10 }).map(String), junkText.filter((text) => text !== ''));
  const query = operation.query ? objectOf(operation.query) : fc.dictionary(fc.string({ maxLength: 10 }), junkText, { maxKeys: 3 });
  const body = operation.body ? fc.oneof({ weight: 4, arbitrary: objectOf(operation.body) }, { weight: 1, arbitrary: junkValue }) : fc.constant(undefined);
  return fc.record({ params: fc.array(param, { minLength: operation.pathParams.length, maxLength: operation.pathParams.length }), query, body, rawBody: fc.option(junkText, { freq: 6 }) });
}

describe('bad input at every route never breaks the answer', () => {
  let server: TestServer;
  let keys: string[];
  let turn = 0;

  before(async () => {
    server = await startTestServer({ TRUST_PROXY: 'true' });
    // The network's key and a few more of its own, so the per-key rate limits leave the fuzz its pace.
    keys = [server.keys.admin];
    for (let index = 0; index < 4; index += 1) keys.push((await server.request('POST', '/api/v1/keys', { key: server.keys.admin, body: { name: `fuzz ${index}` } })).body.key);
  });
  after(() => server.close());

  /** Everything a refused request could have changed; a key's last use moves with every request and is left out. */
  const fingerprint = async () => {
    const tables = ['offers', 'goals', 'caps', 'conversions', 'conversion_events', 'partner_postbacks', 'outbox', 'approvals', 'network', 'advertisers', 'partners', 'users', 'control_lists', 'payout_overrides', 'revenue_overrides', 'volume_payouts', 'partner_tiers', 'short_links'];
    const union = [...tables.map((table) => `SELECT '${table}' AS t, to_jsonb(x)::text AS r FROM ${table} x`), `SELECT 'api_keys', (to_jsonb(k) - 'last_used_at')::text FROM api_keys k`].join(' UNION ALL ');
    const [row] = await server.store.query<{ digest: string }>(`SELECT md5(string_agg(t || r, '|' ORDER BY t, r)) AS digest FROM (${union}) s`);
    return row!.digest;
  };

  test('every documented operation, with junk and near-valid values in its path, query and body', async () => {
    const operations = await documentedOperations(server);
    assert.ok(operations.length > 50);
    for (const operation of operations) {
      await fc.assert(
        fc.asyncProperty(requestOf(operation), async ({ params, query, body, rawBody }) => {
          let path = operation.path;
          operation.pathParams.forEach((name, index) => (path = path.replace(`{${name}}`, encodeURIComponent(params[index]!))));
          const search = new URLSearchParams(Object.entries(query).map(([name, value]): [string, string] => [name, typeof value === 'string' ? value : JSON.stringify(value)]));
          const url = search.size > 0 ? `${path}?${search}` : path;
          const hasBody = operation.method !== 'GET' && operation.method !== 'DELETE';
          const before = operation.public ? '' : await fingerprint();
          turn += 1;
          const reply = await server.request(operation.method, url, {
            key: keys[turn % keys.length],
            ...(hasBody ? { body: rawBody ?? (body === undefined ? {} : body) } : {}),
          });
          const where = `${operation.method} ${url} ${hasBody ? String(JSON.stringify(rawBody ?? body)).slice(0, 300) : ''}`;
          assert.ok(reply.status < 500, `${where} -> ${reply.status} ${reply.text.slice(0, 300)}`);
          assert.doesNotMatch(reply.text, /violates|syntax error|relation "|column "|invalid input syntax|byte sequence/i, `${where}: a store's message`);
          if (!operation.public && reply.status >= 400) assert.equal(await fingerprint(), before, `${where} -> ${reply.status} changed the store`);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    }
    assert.equal((await server.request('GET', '/readyz')).status, 200);
  });
});
