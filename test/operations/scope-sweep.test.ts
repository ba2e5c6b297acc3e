import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OPERATOR } from '../../src/accounts/principal.ts';
import { createOffer } from '../../src/offers/offers.ts';
import { setApproval } from '../../src/partners/approvals.ts';
import { localDay } from '../../src/shared/time-zones.ts';
import { digest, documentedOperations, hasOffersMethods, type JsonSchema, type Operation } from '../support/routes.ts';
import { startTestServer, USER_AGENTS, type TestServer } from '../support/test-server.ts';

/**
 * Every role against every route of the three APIs, generated from the routes themselves: each
 * account owns objects marked with canary strings, and every other account asks for them by id,
 * filters by them and writes to them. An answer may not carry another account's canary, and no
 * request may change another account's rows.
 */
type Kind = 'offer' | 'conversion' | 'click' | 'postback' | 'delivery' | 'partner' | 'advertiser' | 'key' | 'controlList' | 'user' | 'agency' | 'accessRequest';
type Role = 'trailblazer' | 'couponCrate' | 'acme' | 'brightside';

const VISITOR_IP = '203.0.113.77';

/** Which foreign id a request sends (the nth of its kind), and in which field alone (all of them when none is named). */
interface Probe {
  pick: number;
  field?: string;
}

/** The resource a path segment names, for the id that follows it. */
const SEGMENT_KINDS: Record<string, Kind | 'nested' | 'public'> = {
  offers: 'offer',
  campaigns: 'offer',
  conversions: 'conversion',
  clicks: 'click',
  postbacks: 'postback',
  deliveries: 'delivery',
  partners: 'partner',
  publishers: 'partner',
  advertisers: 'advertiser',
  keys: 'key',
  'control-lists': 'controlList',
  marketplace: 'offer',
  users: 'user',
  agencies: 'agency',
  'partner-applications': 'partner',
  applications: 'partner',
  'api-access-requests': 'accessRequest',
  'landing-pages': 'nested',
  creatives: 'nested',
  'partner-tiers': 'nested',
  'hasoffers-networks': 'nested',
  'hasoffers-imports': 'nested',
  reconciliations: 'nested',
  goals: 'nested',
  caps: 'nested',
  'partner-payouts': 'nested',
  'partner-revenues': 'nested',
  'by-publisher': 'nested',
  t: 'public',
};

/** The resource a field of a query or body names. */
const FIELD_KINDS: Record<string, Kind> = {
  offerId: 'offer',
  campaignId: 'offer',
  partnerId: 'partner',
  publisherId: 'partner',
  advertiserId: 'advertiser',
  transactionId: 'click',
  reattributeTo: 'click',
  conversionId: 'conversion',
};

describe('no account reads or changes what is not its own, through any route of any API', () => {
  let server: TestServer;
  const foreign = {} as Record<Role, Record<Kind, Array<string | number>>>;
  /** What each role may name: beside a foreign id, the other fields name the role's own, so that only the foreign one can refuse. */
  const own = {} as Record<Role, Partial<Record<Kind, string | number>>>;
  const canaries = {} as Record<Role, string[]>;
  const fingerprints = {} as Record<Role, string[]>;

  before(async () => {
    server = await startTestServer({ TRUST_PROXY: 'true' });
    const [acme, brightside] = server.demo.advertiserIds as [number, number];
    const [trailblazer, couponCrate] = server.demo.partnerIds as [number, number];
    const offer = async (advertiserId: number, name: string, visibility: 'open' | 'private') =>
      (
        await createOffer(server.store, OPERATOR, {
          advertiserId,
          name,
          visibility,
          destinationUrl: 'https://example.com/canary?tid={transaction_id}',
          payoutType: 'cpa_flat',
          payoutFlatMicros: 1_000_000n,
          revenueType: 'cpa_flat',
          revenueFlatMicros: 2_000_000n,
        })
      ).id;
    const acmePrivate = await offer(acme, 'Offer Canary Acme Private', 'private');
    const brightOpen = await offer(brightside, 'Offer Canary Bright Open', 'open');
    const brightPrivate = await offer(brightside, 'Offer Canary Bright Private', 'private');
    await setApproval(server.store, acmePrivate, couponCrate, 'approved');
    await server.platform.tracker.reloadIfChanged();
    const postback = async (key: string, host: string) =>
      (await server.request('POST', '/api/v1/postbacks', { key, body: { url: `https://${host}/pb?tid={transaction_id}` } })).body.id as number;
    const postbacks = { trailblazer: await postback(server.keys.trailblazer, 'pb-canary-t.example'), couponCrate: await postback(server.keys.couponCrate, 'pb-canary-c.example') };
    const convert = async (offerId: number, partnerId: number, order: string) => {
      const click = await server.request('GET', `/aff_c?offer_id=${offerId}&aff_id=${partnerId}`, { headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': VISITOR_IP } });
      assert.equal(click.headers.get('x-partnerline-click'), 'counted');
      const transactionId = new URL(click.headers.get('location')!).searchParams.get('tid')!;
      const reply = await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=${order}&amount=10`, { headers: { 'x-forwarded-for': VISITOR_IP } });
      return { transactionId, conversionId: reply.headers.get('x-partnerline-conversion-id')! };
    };
    const controlList = async (key: string, name: string, campaign: number) => {
      const reply = await server.request('POST', '/affiliate/v2/control-lists', { key, body: { name, type: 'block', campaigns: [campaign], subIds: ['999_canary'] } });
      assert.equal(reply.status, 200, reply.text);
      return reply.body.id as number;
    };
    const lists = { acme: await controlList(server.keys.acme, 'List Canary Acme', acmePrivate), brightside: await controlList(server.keys.brightside, 'List Canary Bright', brightOpen) };
    const trail = await convert(brightOpen, trailblazer, 'ORDER-CANARY-T');
    const coupon = await convert(acmePrivate, couponCrate, 'ORDER-CANARY-C');
    const deliveries = async (postbackId: number) =>
      (await server.store.query<{ id: string }>('SELECT id::text AS id FROM outbox WHERE postback_id = $1', [postbackId])).map((row) => row.id);
    const keysOf = async (column: 'partner_id' | 'advertiser_id', id: number) =>
      (await server.store.query<{ id: number }>(`SELECT k.id FROM api_keys k JOIN users u ON u.id = k.user_id WHERE u.${column} = $1`, [id])).map((row) => row.id);
    const otherPartner = (mine: 'trailblazer' | 'couponCrate', theirs: typeof trail, theirPostback: number, partnerId: number) => ({
      offer: mine === 'trailblazer' ? [acmePrivate, brightPrivate] : [brightPrivate],
      conversion: [theirs.conversionId],
      click: [theirs.transactionId],
      postback: [theirPostback],
      partner: [partnerId],
      advertiser: [],
      controlList: [lists.acme, lists.brightside],
    });
    const usersOf = async (column: 'partner_id' | 'advertiser_id', id: number) =>
      (await server.store.query<{ id: number }>(`SELECT id FROM users WHERE ${column} = $1`, [id])).map((row) => row.id);
    const accessRequestOf = async (userIds: number[], role: Role) =>
      (await server.store.query<{ id: number }>(`INSERT INTO api_access_requests (user_id, use_case) VALUES ($1, $2) RETURNING id`, [userIds[0], `access canary ${role}`]))[0]!.id;
    const [agencyId] = (await server.store.query<{ id: number }>('SELECT id FROM agencies ORDER BY id LIMIT 1')).map((row) => row.id);
    const people = {
      trailblazer: await usersOf('partner_id', trailblazer),
      couponCrate: await usersOf('partner_id', couponCrate),
      acme: await usersOf('advertiser_id', acme),
      brightside: await usersOf('advertiser_id', brightside),
    };
    const requests = {
      trailblazer: await accessRequestOf(people.trailblazer, 'trailblazer'),
      couponCrate: await accessRequestOf(people.couponCrate, 'couponCrate'),
      acme: await accessRequestOf(people.acme, 'acme'),
      brightside: await accessRequestOf(people.brightside, 'brightside'),
    };
    const others = (role: Role) => ROLES.filter((other) => other !== role);
    const accountIds = (role: Role) => ({ user: others(role).flatMap((other) => people[other]), agency: [agencyId!], accessRequest: others(role).map((other) => requests[other]) });
    foreign.trailblazer = { ...accountIds('trailblazer'), ...otherPartner('trailblazer', coupon, postbacks.couponCrate, couponCrate), delivery: await deliveries(postbacks.couponCrate), key: await keysOf('partner_id', couponCrate) };
    foreign.couponCrate = { ...accountIds('couponCrate'), ...otherPartner('couponCrate', trail, postbacks.trailblazer, trailblazer), delivery: await deliveries(postbacks.trailblazer), key: await keysOf('partner_id', trailblazer) };
    const allPostbacks = [postbacks.trailblazer, postbacks.couponCrate];
    const allDeliveries = [...(await deliveries(postbacks.trailblazer)), ...(await deliveries(postbacks.couponCrate))];
    foreign.acme = { ...accountIds('acme'), offer: [brightOpen, brightPrivate], conversion: [trail.conversionId], click: [trail.transactionId], postback: allPostbacks, delivery: allDeliveries, partner: [], advertiser: [brightside], controlList: [lists.brightside], key: await keysOf('advertiser_id', brightside) };
    foreign.brightside = { ...accountIds('brightside'), offer: [acmePrivate], conversion: [coupon.conversionId], click: [coupon.transactionId], postback: allPostbacks, delivery: allDeliveries, partner: [], advertiser: [acme], controlList: [lists.acme], key: await keysOf('advertiser_id', acme) };
    own.trailblazer = { offer: brightOpen, partner: trailblazer, click: trail.transactionId, conversion: trail.conversionId };
    own.couponCrate = { offer: acmePrivate, partner: couponCrate, click: coupon.transactionId, conversion: coupon.conversionId };
    own.acme = { offer: acmePrivate, advertiser: acme, partner: couponCrate, click: coupon.transactionId, conversion: coupon.conversionId };
    own.brightside = { offer: brightOpen, advertiser: brightside, partner: trailblazer, click: trail.transactionId, conversion: trail.conversionId };
    canaries.trailblazer = ['List Canary', 'Offer Canary Acme', 'Offer Canary Bright Private', 'ORDER-CANARY-C', 'pb-canary-c', VISITOR_IP, 'deals@couponcrate', 'ops@'];
    canaries.couponCrate = ['List Canary', 'Offer Canary Bright Private', 'ORDER-CANARY-T', 'pb-canary-t', VISITOR_IP, 'hello@trailblazer', 'ops@'];
    canaries.acme = ['Offer Canary Bright', 'List Canary Bright', 'ORDER-CANARY-T', 'pb-canary-', VISITOR_IP, 'ops@brightside', 'hello@trailblazer', 'deals@couponcrate'];
    canaries.brightside = ['Offer Canary Acme', 'List Canary Acme', 'ORDER-CANARY-C', 'pb-canary-', VISITOR_IP, 'ops@acme', 'hello@trailblazer', 'deals@couponcrate'];

    const partnerRows = (partnerId: number) => [
      `SELECT * FROM users WHERE partner_id IS DISTINCT FROM ${partnerId}`,
      `SELECT * FROM api_access_requests r JOIN users u ON u.id = r.user_id WHERE u.partner_id IS DISTINCT FROM ${partnerId}`,
      'SELECT * FROM agencies',
      `SELECT * FROM conversions WHERE partner_id <> ${partnerId}`,
      `SELECT * FROM partner_postbacks WHERE partner_id <> ${partnerId}`,
      `SELECT o.* FROM outbox o JOIN partner_postbacks p ON p.id = o.postback_id WHERE p.partner_id <> ${partnerId}`,
      `SELECT * FROM approvals WHERE partner_id <> ${partnerId}`,
      `SELECT * FROM partners WHERE id <> ${partnerId}`,
      `SELECT * FROM short_links WHERE partner_id <> ${partnerId}`,
      `SELECT k.* FROM api_keys k JOIN users u ON u.id = k.user_id WHERE u.partner_id IS DISTINCT FROM ${partnerId}`,
      `SELECT to_jsonb(n) - 'catalog_version' FROM network n`,
      ...['offers', 'goals', 'caps', 'advertisers', 'control_lists', 'payout_overrides', 'revenue_overrides', 'volume_payouts'].map((table) => `SELECT * FROM ${table}`),
    ];
    const advertiserRows = (advertiserId: number) => [
      `SELECT * FROM users WHERE advertiser_id IS DISTINCT FROM ${advertiserId}`,
      `SELECT * FROM api_access_requests r JOIN users u ON u.id = r.user_id WHERE u.advertiser_id IS DISTINCT FROM ${advertiserId}`,
      'SELECT * FROM agencies',
      `SELECT * FROM conversions WHERE advertiser_id <> ${advertiserId}`,
      `SELECT * FROM offers WHERE advertiser_id <> ${advertiserId}`,
      `SELECT * FROM advertisers WHERE id <> ${advertiserId}`,
      `SELECT * FROM control_lists WHERE advertiser_id IS DISTINCT FROM ${advertiserId}`,
      `SELECT k.* FROM api_keys k JOIN users u ON u.id = k.user_id WHERE u.advertiser_id IS DISTINCT FROM ${advertiserId}`,
      ...['goals', 'caps', 'payout_overrides', 'revenue_overrides', 'volume_payouts', 'approvals', 'short_links'].map(
        (table) => `SELECT t.* FROM ${table} t JOIN offers o ON o.id = t.offer_id WHERE o.advertiser_id <> ${advertiserId}`,
      ),
      `SELECT to_jsonb(n) - 'catalog_version' FROM network n`,
      ...['partner_postbacks', 'outbox', 'partners'].map((table) => `SELECT * FROM ${table}`),
    ];
    for (const role of ROLES) canaries[role].push(...others(role).map((other) => `access canary ${other}`));
    // Deliveries to the canary hosts fail and are tried again: the worker would move rows the sweep watches.
    await server.platform.deliveries.stop();
    fingerprints.trailblazer = partnerRows(trailblazer);
    fingerprints.couponCrate = partnerRows(couponCrate);
    fingerprints.acme = advertiserRows(acme);
    fingerprints.brightside = advertiserRows(brightside);
  });
  after(() => server.close());

  const ROLES: Role[] = ['trailblazer', 'couponCrate', 'acme', 'brightside'];
  // The demo network's day, which its reports count by: UTC's date differs for a few hours each night.
  const today = localDay(new Date(), 'America/New_York');
  const state = async (role: Role) => Promise.all(fingerprints[role].map((sql) => digest(server.store, sql)));
  const changed = (role: Role, before: string[], after: string[]) => fingerprints[role].filter((_, index) => before[index] !== after[index]);

  /**
   * A value for a schema: where the field names a resource, the foreign id when it is the field
   * probed (or every such field is), else the role's own; else its example or the plainest valid value.
   */
  const valueFor = (role: Role, name: string, schema: JsonSchema, probe: Probe): unknown => {
    const kind = FIELD_KINDS[name];
    if (kind) {
      const ids = foreign[role][kind];
      const id = probe.field === undefined || probe.field === name ? (ids[probe.pick % Math.max(1, ids.length)] ?? 999_999) : (own[role][kind] ?? 999_999);
      return schema.type === 'string' || (Array.isArray(schema.type) && schema.type[0] === 'string') ? String(id) : Number(id);
    }
    if (name === 'from' || name === 'to' || name === 'start' || name === 'end' || name === 'startDate' || name === 'endDate') return today;
    if (name === 'metrics') return 'conversions,payout,revenue';
    if (name === 'dimensions') return 'offer_id,partner_id';
    if (name === 'url' || name === 'trackingUrl' || name === 'destinationUrl') return 'https://probe.example/x?tid={transaction_id}';
    if (schema.example !== undefined) return schema.example;
    if (schema.enum) return schema.enum[0];
    const variant = schema.anyOf?.[0] ?? schema.oneOf?.[0];
    if (variant) return valueFor(role, name, variant, probe);
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    switch (type) {
      case 'object':
        return objectFor(role, schema, probe);
      case 'array':
        return schema.items ? [valueFor(role, name, schema.items, probe)] : [];
      case 'integer':
      case 'number':
        return Math.max(1, schema.minimum ?? 1);
      case 'boolean':
        return true;
      default:
        return schema.format === 'date-time' ? new Date().toISOString() : 'probe';
    }
  };
  const objectFor = (role: Role, schema: JsonSchema, probe: Probe): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(schema.properties ?? {})
        .filter(([name]) => (schema.required ?? []).includes(name) || FIELD_KINDS[name] !== undefined)
        .map(([name, property]) => [name, valueFor(role, name, property, probe)]),
    );
  /** The resource fields a schema holds, at any depth. */
  const resourceFields = (schema: JsonSchema | undefined): string[] =>
    schema
      ? [
          ...Object.entries(schema.properties ?? {}).flatMap(([name, property]) => [...(FIELD_KINDS[name] ? [name] : []), ...resourceFields(property), ...resourceFields(property.items)]),
        ]
      : [];

  /**
   * The requests a role sends to one operation: a foreign id in each place the operation takes one
   * (each foreign id in turn), first in all of them at once, then in each field alone. `foreign`
   * says whether the request names something of another account's.
   */
  const requestsFor = (role: Role, operation: Operation) => {
    const kinds = operation.pathParams.map((param) => {
      const segment = operation.path.split('/').at(operation.path.split('/').indexOf(`{${param}}`) - 1)!;
      const kind = SEGMENT_KINDS[segment];
      assert.ok(kind, `${operation.method} ${operation.path}: say in SEGMENT_KINDS which resource "${segment}/{${param}}" names`);
      return kind;
    });
    if (kinds.includes('public')) return [];
    const ids = kinds.map((kind) => (kind === 'nested' ? ['1'] : foreign[role][kind as Kind].map(String)));
    if (ids.some((list) => list.length === 0)) return [];
    const pathIsForeign = kinds.some((kind) => kind !== 'nested');
    const fields = [...new Set([...resourceFields(operation.query), ...resourceFields(operation.body)])];
    const probes: Array<Probe> = [{ pick: 0 }, ...fields.map((field) => ({ pick: 0, field })), ...Array.from({ length: Math.max(...ids.map((list) => list.length), 1) - 1 }, (_, index) => ({ pick: index + 1 }))];
    return probes.map((probe) => {
      let path = operation.path;
      operation.pathParams.forEach((param, index) => (path = path.replace(`{${param}}`, ids[index]![probe.pick % ids[index]!.length]!)));
      const query = operation.query ? new URLSearchParams(Object.entries(objectFor(role, operation.query, probe)).map(([name, value]): [string, string] => [name, String(value)])) : undefined;
      const probedKind = probe.field === undefined ? undefined : FIELD_KINDS[probe.field];
      const foreignField = probe.field === undefined ? fields.some((field) => foreign[role][FIELD_KINDS[field]!].length > 0) : foreign[role][probedKind!].length > 0;
      return {
        path: query && query.size > 0 ? `${path}?${query}` : path,
        body: operation.body ? objectFor(role, operation.body, probe) : undefined,
        foreign: pathIsForeign || foreignField,
      };
    });
  };

  const leaked = (role: Role, text: string) => canaries[role].filter((canary) => text.toLowerCase().includes(canary.toLowerCase()));

  test('the v1 and SourceKnowledge APIs, every documented route, every role', async () => {
    const operations = (await documentedOperations(server)).filter((operation) => !operation.public);
    assert.ok(operations.length > 50, 'the document lists the routes');
    const problems: string[] = [];
    for (const role of ROLES) {
      for (const operation of operations) {
        for (const { path, body, foreign: namesForeign } of requestsFor(role, operation)) {
          const writes = operation.method !== 'GET';
          const before = writes ? await state(role) : [];
          const reply = await server.request(operation.method, path, { key: server.keys[role], ...(body === undefined ? {} : { body }) });
          const where = `${role} ${operation.method} ${path} ${body === undefined ? '' : JSON.stringify(body)} -> ${reply.status}`;
          if (reply.status >= 500) problems.push(`${where}: ${reply.text}`);
          if (reply.status === 429) problems.push(`${where}: the sweep was turned away by a rate limit`);
          if (writes && namesForeign && reply.status < 300) problems.push(`${where}: a write naming another account's object was taken`);
          const seen = leaked(role, reply.text);
          if (seen.length > 0) problems.push(`${where} shows ${seen.join(', ')}`);
          const moved = writes ? changed(role, before, await state(role)) : [];
          if (moved.length > 0) problems.push(`${where} changed another account's rows: ${moved.join('; ')}`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  test('the HasOffers APIs, every Target and Method of each role\'s API', async () => {
    const problems: string[] = [];
    // HasOffers answers 50 calls in 10 s a key: each role takes turns with keys of its own.
    const hasOffersKeys = {} as Record<Role, string[]>;
    for (const role of ROLES) {
      hasOffersKeys[role] = [];
      for (let index = 0; index < 12; index += 1) {
        hasOffersKeys[role].push((await server.request('POST', '/api/v1/keys', { key: server.keys[role], body: { name: `sweep ${index}` } })).body.key);
      }
    }
    let call = 0;
    const fieldSets = [
      ['Offer.name', 'Stat.conversions', 'Stat.payout'],
      ['Offer.name', 'Stat.advertiser_info', 'Stat.payout', 'Stat.revenue'],
      ['Stat.ip'],
      ['Stat.session_ip'],
    ];
    for (const role of ROLES) {
      const api = role === 'acme' || role === 'brightside' ? 'Advertiser_' : 'Affiliate_';
      for (const { target, method, credential } of hasOffersMethods().filter((entry) => entry.target.startsWith(api))) {
        const kinds: Kind[] = ['offer', 'conversion', 'postback'];
        for (const kind of kinds) {
          for (const id of foreign[role][kind]) {
            for (const fields of method.startsWith('get') ? fieldSets : [[]]) {
              call += 1;
              const query = new URLSearchParams({ Target: target, Method: method, [credential]: hasOffersKeys[role][call % 12]!, id: String(id) });
              const offerId = kind === 'offer' ? id : own[role].offer!;
              query.append('offer_id', String(offerId));
              for (const [name, value] of Object.entries({ offer_id: offerId, status: 'active', type: 'url', code: 'https://pb-probe.example/x' })) query.append(`data[${name}]`, String(value));
              for (const field of fields) query.append('fields[]', field);
              query.append('filters[Stat.date][conditional]', 'EQUAL_TO');
              query.append('filters[Stat.date][values]', today);
              const before = await state(role);
              const reply = await server.request('GET', `/Apiv3/json?${query}`);
              const where = `${role} ${target}::${method} ${kind} ${id} ${fields.join(',')}`;
              assert.doesNotMatch(String(reply.body.response?.errorMessage ?? ''), /rate limit/, `${where}: the sweep must not be turned away`);
              const seen = leaked(role, reply.text);
              if (reply.status >= 500) problems.push(`${where}: ${reply.text}`);
              const idMeans: Kind = target.endsWith('OfferPixel') ? 'postback' : target.endsWith('Offer') ? 'offer' : 'conversion';
              // A create takes its offer from data[offer_id]; the id it is sent names nothing.
              const namesForeign = kind === 'offer' || (kind === idMeans && method !== 'create');
              if (namesForeign && !/^(find|get)/.test(method) && reply.body.response?.status === 1) problems.push(`${where}: a write naming another account's object was taken`);
              if (seen.length > 0) problems.push(`${where} shows ${seen.join(', ')}`);
              const moved = changed(role, before, await state(role));
              if (moved.length > 0) problems.push(`${where} changed another account's rows: ${moved.join('; ')}`);
            }
          }
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  test('a partner never learns how the network is paid; an advertiser\'s payout is what it pays, in every report', async () => {
    for (const query of ['dimensions=revenue_type&metrics=conversions', 'metrics=conversions&filter=revenue_type:eq:cpa_flat']) {
      const reply = await server.request('GET', `/api/v1/reports/stats?${query}&from=${today}&to=${today}`, { key: server.keys.trailblazer });
      assert.equal(reply.status, 403, `${query}: ${reply.text}`);
    }
    const advertiser = (method: string, fields: string[]) =>
      server.request(
        'GET',
        `/Apiv3/json?api_key=${server.keys.brightside}&Target=Advertiser_Report&Method=${method}&${fields.map((field) => `fields[]=${field}`).join('&')}` +
          `&filters[Stat.date][conditional]=EQUAL_TO&filters[Stat.date][values]=${today}&filters[Offer.name][conditional]=LIKE&filters[Offer.name][values]=Offer Canary Bright Open`,
      );
    const stats = await advertiser('getStats', ['Offer.name', 'Stat.payout']);
    const conversions = await advertiser('getConversions', ['Offer.name', 'Stat.payout']);
    assert.equal(stats.body.response.data.data[0].Stat.payout, '2.00000', stats.text);
    assert.deepEqual(conversions.body.response.data.data.map((row: { Stat: { payout: string } }) => row.Stat.payout), ['2.00000']);
  });
});
