import assert from 'node:assert/strict';
import { get, type IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { runCommand } from '../../src/cli/commands.ts';
import { callHasOffers } from '../../src/hasoffers-bridge/hasoffers-client.ts';
import { addDays, localDay } from '../../src/shared/time-zones.ts';
import { settleSync } from '../support/hasoffers-sync.ts';
import { countedClick, IPS, startTestServer, USER_AGENTS, v1Api, type TestServer } from '../support/test-server.ts';

type HasOffersRow = Record<string, string | null>;

/** A GET as a browser sends it to a host name that points at the server (fetch cannot set Host): the answer's headers. */
function onHost(host: string, base: string, path: string, headers: Record<string, string>): Promise<IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    get(`${base}${path}`, { headers: { ...headers, host } }, (response) => {
      response.resume();
      resolve(response.headers);
    }).on('error', reject);
  });
}

describe('importing a HasOffers network: everything it holds comes over once, and its links keep working', () => {
  let there: TestServer;
  let here: TestServer;
  let access: { apiUrl: string; networkId: string; networkToken: string };
  const call = (target: string, method: string, params: Record<string, unknown> = {}) => callHasOffers(access, target, method, params) as Promise<any>;
  let from: string;
  let to: string;
  let movedOffer: string;
  let rider: string;
  let scout: string;
  /** The import's body, as the v1 API takes it. */
  let request: Record<string, string>;

  before(async () => {
    // The network being left is a Partnerline answering the HasOffers API, filled only through that API, as a TUNE network would be.
    [there, here] = await Promise.all([startTestServer({ TRUST_PROXY: 'true' }), startTestServer({ TRUST_PROXY: 'true' })]);
    access = { apiUrl: there.url, networkId: 'partnerline', networkToken: (await v1Api(there)('POST', '/keys', { name: 'Moving out' })).body.key };
    const zone = (await v1Api(there)('GET', '/network')).body.timeZone as string;
    to = localDay(new Date(), zone);
    from = addDays(to, -30);

    const advertiser = (await call('Advertiser', 'create', { data: { company: 'Northwind Outfitters', website: 'https://northwind.example' } })).Advertiser.id;
    rider = (await call('Affiliate', 'create', { data: { company: 'Rider Media', website: 'https://rider.example' } })).Affiliate.id;
    scout = (await call('Affiliate', 'create', { data: { company: 'Scout Deals' } })).Affiliate.id;
    movedOffer = (
      await call('Offer', 'create', {
        data: {
          name: 'Northwind Winter Sale',
          advertiser_id: advertiser,
          offer_url: 'https://northwind.example/sale?tid={transaction_id}',
          payout_type: 'cpa_flat',
          default_payout: '4.50',
          revenue_type: 'cpa_flat',
          max_payout: '7.25',
          require_approval: '1',
          conversion_cap: '40',
          monthly_payout_cap: '900',
        },
      })
    ).Offer.id;
    await call('Goal', 'create', { data: { offer_id: movedOffer, name: 'Upsell', default_payout: '1.10', max_payout: '2.20' } });
    assert.equal((await v1Api(there)('POST', `/offers/${movedOffer}/landing-pages`, { name: 'Gift guide', url: 'https://northwind.example/gifts' })).status, 201);
    await call('Offer', 'setAffiliateApproval', { id: movedOffer, affiliate_id: rider, status: 'approved' });
    await call('Offer', 'setAffiliateApproval', { id: movedOffer, affiliate_id: scout, status: 'blocked' });

    // A month of conversions, made by hand as adjustments in the past, with their own amounts and statuses.
    const statuses = ['approved', 'pending', 'rejected'];
    for (let day = 0; day < 30; day += 3) {
      await call('Conversion', 'create', {
        data: {
          offer_id: movedOffer,
          affiliate_id: day % 2 === 0 ? rider : there.demo.partnerIds[0],
          datetime: `${addDays(from, day)} 1${day % 10}:15:00`,
          status: statuses[day % 3],
          sale_amount: `${100 + day}.12345`,
          payout: `${4 + day / 10}`,
          revenue: `7.0000${day % 10}`,
          advertiser_info: `ORDER-${day}`,
        },
      });
    }
    for (let click = 0; click < 3; click += 1) await countedClick(there, Number(movedOffer), Number(rider));
    await countedClick(there, there.demo.offerIds[0]!, there.demo.partnerIds[0]!);
    request = { ...access, from, to, timeZone: zone, trackingHost: 'track.oldnetwork.example' };
  });
  after(() => Promise.all([there?.close(), here?.close()]));

  const runImport = async () => {
    const begun = await v1Api(here)('POST', '/hasoffers-imports', request);
    assert.equal(begun.status, 202, begun.text);
    // Watched in the store: the API allows a key ten identical requests a minute.
    for (let waited = 0; waited < 600; waited += 1) {
      const [now] = await here.store.query<{ status: string }>('SELECT status FROM hasoffers_imports WHERE id = $1', [begun.body.id]);
      if (now!.status !== 'running') return (await v1Api(here)('GET', `/hasoffers-imports/${begun.body.id}`)).body;
      await sleep(100);
    }
    assert.fail('the import did not finish in a minute');
  };

  /** Where each of the other network's objects went here. */
  const imported = async (kind: string) =>
    new Map((await here.store.query<{ externalId: string; localId: string }>(`SELECT external_id AS "externalId", local_id::text AS "localId" FROM hasoffers_imported WHERE kind = $1`, [kind])).map((row) => [row.externalId, row.localId]));

  /** Rows of a find or report, on this side and the other, with the other side's ids turned into ours. */
  const sideBySide = async (target: string, method: string, params: Record<string, unknown>, read: (data: any) => HasOffersRow[], ids: Record<string, string>) => {
    const maps = Object.fromEntries(await Promise.all(Object.entries(ids).map(async ([field, kind]) => [field, await imported(kind)] as const)));
    const ours = { ...access, apiUrl: here.url, networkToken: (await v1Api(here)('POST', '/keys', { name: 'Comparing' })).body.key };
    const theirs = read(await call(target, method, params)).map((row) => ({ ...row, ...Object.fromEntries(Object.keys(ids).map((field) => [field, maps[field]!.get(String(row[field])) ?? `unmapped ${row[field]}`])) }));
    const mine = read(await callHasOffers(ours, target, method, params));
    return { theirs, mine };
  };
  /** A find's records, paged (with `limit`) or not. */
  const records = (model: string) => (data: any) => Object.values('pageCount' in data ? data.data : data).map((row: any) => row[model] as HasOffersRow);
  const byKey = (rows: HasOffersRow[], key: (row: HasOffersRow) => string) => new Map(rows.map((row) => [key(row), row]));

  test('offers, goals, landing pages, partners, approvals, conversions and a month of reports match the network they came from', async () => {
    const done = await runImport();
    assert.equal(done.status, 'finished', JSON.stringify(done));
    assert.deepEqual(done.problems, []);
    assert.equal(done.counts.conversion.created, 10);

    const offerFields = ['name', 'offer_url', 'status', 'currency', 'payout_type', 'default_payout', 'revenue_type', 'max_payout', 'require_approval', 'is_private', 'conversion_cap', 'monthly_payout_cap', 'advertiser_id'];
    const offers = await sideBySide('Offer', 'findAll', { fields: ['id', ...offerFields], contain: ['Goal', 'OfferUrl'] }, records('Offer'), { id: 'offer', advertiser_id: 'advertiser' });
    assert.equal(offers.theirs.length, offers.mine.length - here.demo.offerIds.length, 'every offer came over once, beside the ones that were here');
    const mineById = byKey(offers.mine, (row) => String(row.id));
    for (const offer of offers.theirs) assert.deepEqual(mineById.get(String(offer.id)), offer);

    const goals = await sideBySide('Goal', 'findAll', { fields: ['id', 'offer_id', 'name', 'default_payout', 'max_payout', 'status'] }, records('Goal'), { id: 'goal', offer_id: 'offer' });
    const goalsById = byKey(goals.mine, (row) => String(row.id));
    for (const goal of goals.theirs) assert.deepEqual(goalsById.get(String(goal.id)), goal);
    const pages = (await v1Api(here)('GET', `/offers/${(await imported('offer')).get(movedOffer)}/landing-pages`)).body;
    assert.deepEqual(pages.map((page: { name: string; url: string }) => [page.name, page.url]), [['Gift guide', 'https://northwind.example/gifts']]);

    const partners = await sideBySide('Affiliate', 'findAll', { fields: ['id', 'company', 'website', 'status'] }, records('Affiliate'), { id: 'partner' });
    const partnersById = byKey(partners.mine, (row) => String(row.id));
    for (const partner of partners.theirs) assert.deepEqual(partnersById.get(String(partner.id)), partner);

    const approvals = await sideBySide('Offer', 'findAllAffiliateApprovals', { fields: ['offer_id', 'affiliate_id', 'approval_status'] }, records('AffiliateOffer'), { offer_id: 'offer', affiliate_id: 'partner' });
    const approvalKey = (row: HasOffersRow) => `${row.offer_id}/${row.affiliate_id}/${row.approval_status}`;
    const importedOffers = new Set((await imported('offer')).values());
    assert.deepEqual(new Set(approvals.theirs.map(approvalKey)), new Set(approvals.mine.filter((row) => importedOffers.has(String(row.offer_id))).map(approvalKey)));
    assert.ok(approvals.theirs.some((row) => row.approval_status === 'blocked'));

    const conversionFields = ['id', 'offer_id', 'affiliate_id', 'goal_id', 'status', 'payout', 'revenue', 'sale_amount', 'datetime', 'advertiser_info', 'currency'];
    const conversions = await sideBySide('Conversion', 'findAll', { fields: conversionFields, limit: 500 }, records('Conversion'), { id: 'conversion', offer_id: 'offer', affiliate_id: 'partner' });
    assert.equal(conversions.mine.length, conversions.theirs.length);
    const conversionsById = byKey(conversions.mine, (row) => String(row.id));
    for (const conversion of conversions.theirs) assert.deepEqual(conversionsById.get(String(conversion.id)), conversion, 'the same status, amounts and time');

    const report = {
      fields: ['Stat.date', 'Stat.offer_id', 'Stat.affiliate_id', 'Stat.clicks', 'Stat.unique_clicks', 'Stat.impressions', 'Stat.conversions', 'Stat.pending_conversions', 'Stat.payout', 'Stat.revenue', 'Stat.sale_amount'],
      filters: { 'Stat.date': { conditional: 'BETWEEN', values: [from, to] } },
      sort: { 'Stat.date': 'asc', 'Stat.offer_id': 'asc', 'Stat.affiliate_id': 'asc' },
      limit: 1000,
    };
    const stats = (data: any) => data.data.map((row: any) => row.Stat as HasOffersRow);
    const reports = await sideBySide('Report', 'getStats', report, stats, { offer_id: 'offer', affiliate_id: 'partner' });
    const cell = (row: HasOffersRow) => `${row.date}/${row.offer_id}/${row.affiliate_id}`;
    assert.ok(reports.theirs.length >= 11, 'ten days with conversions and today with clicks');
    assert.deepEqual(byKey(reports.mine, cell), byKey(reports.theirs, cell), 'a month of reports, day by day, offer by offer, partner by partner');
  });

  test('running it again after changes there updates what changed and makes nothing twice', async () => {
    const first = Object.values((await call('Conversion', 'findAll', { fields: ['id'], sort: { id: 'asc' }, limit: 1 })).data)[0] as any;
    await call('Conversion', 'updateStatus', { id: first.Conversion.id, status: 'rejected', note: 'chargeback' });
    await call('Offer', 'update', { id: movedOffer, data: { name: 'Northwind Winter Sale (extended)', default_payout: '5.00' } });
    const count = async (table: string) => (await here.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;
    const before = { offers: await count('offers'), partners: await count('partners'), conversions: await count('conversions'), goals: await count('goals') };

    const again = await runImport();
    assert.equal(again.status, 'finished');
    for (const [kind, counts] of Object.entries(again.counts) as Array<[string, { created: number }]>) assert.equal(counts.created, 0, `no new ${kind}`);
    assert.equal(again.counts.conversion.updated, 1);
    assert.equal(again.counts.offer.updated, 1);
    assert.deepEqual({ offers: await count('offers'), partners: await count('partners'), conversions: await count('conversions'), goals: await count('goals') }, before);

    const local = (await imported('conversion')).get(String(first.Conversion.id))!;
    const [row] = await here.store.query<{ status: string }>('SELECT status FROM conversions WHERE id = $1', [local]);
    assert.equal(row!.status, 'rejected');
    const ours = { ...access, apiUrl: here.url, networkToken: here.keys.admin };
    const offer = (await callHasOffers(ours, 'Offer', 'findById', { id: (await imported('offer')).get(movedOffer), fields: ['name', 'default_payout'] })) as any;
    assert.deepEqual([offer.Offer.name, offer.Offer.default_payout], ['Northwind Winter Sale (extended)', '5.00000']);
  });

  test("partners' links on the old tracking domain count for the offers and partners they were imported as", async () => {
    const offer = (await imported('offer')).get(movedOffer)!;
    const partner = (await imported('partner')).get(rider)!;
    assert.notEqual(offer, movedOffer, 'the ids differ here, so only the mapping can make the link work');
    const link = `/aff_c?offer_id=${movedOffer}&aff_id=${rider}&aff_sub=old-link`;
    const visitor = { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US };
    const reply = await onHost('track.oldnetwork.example', here.url, link, visitor);
    assert.equal(reply['x-partnerline-click'], 'counted');
    assert.match(String(reply.location), /^https:\/\/northwind\.example\/sale\?tid=/);
    const tid = new URL(String(reply.location)).searchParams.get('tid')!;
    await here.platform.tracker.writer.ensureWritten(tid);
    const [click] = await here.store.query<{ offerId: number; partnerId: number }>('SELECT offer_id AS "offerId", partner_id AS "partnerId" FROM clicks WHERE transaction_id = $1', [tid]);
    assert.deepEqual([String(click!.offerId), String(click!.partnerId)], [offer, partner]);

    const elsewhere = await onHost(new URL(here.url).host, here.url, link, visitor);
    assert.doesNotMatch(String(elsewhere.location), /northwind/, 'on its own domain, an id means what it means here');
  });

  test('what cannot come over is reported with its reason, and the rest still comes', async () => {
    // HasOffers keeps offer URLs Partnerline would refuse; one is made so behind the API's back.
    await there.store.query(`UPDATE offers SET destination_url = 'ftp://northwind.example/feed' WHERE id = $1`, [movedOffer]);
    const done = await runImport();
    assert.equal(done.status, 'finished');
    assert.deepEqual(
      done.problems.filter((problem: { kind: string }) => problem.kind === 'offer'),
      [{ kind: 'offer', externalId: movedOffer, reason: done.problems.find((problem: { kind: string }) => problem.kind === 'offer').reason }],
    );
    assert.match(done.problems[0].reason, /url/i);
    assert.ok(done.counts.partner.unchanged > 0, 'the partners still came');
    await there.store.query(`UPDATE offers SET destination_url = 'https://northwind.example/sale?tid={transaction_id}' WHERE id = $1`, [movedOffer]);
  });

  test('bad requests are refused in the v1 format, and the CLI imports the same way', async () => {
    const api = v1Api(here);
    for (const body of [{ ...request, from: '2026-13-01' }, { ...request, to: undefined }, { ...request, networkToken: 'wrong' }, { ...request, timeZone: 'Mars/Base' }]) {
      const refused = await api('POST', '/hasoffers-imports', body);
      assert.equal(refused.status, 400, refused.text);
      assert.ok(refused.body.error, refused.text);
    }
    assert.equal((await api('POST', '/hasoffers-imports', request, here.keys.trailblazer)).status, 403);

    // One import of a network at a time; one whose process went silent (a crash) no longer counts.
    const [{ source }] = (await here.store.query<{ source: number }>('SELECT id AS source FROM hasoffers_import_sources')) as [{ source: number }];
    const [{ id: held }] = (await here.store.query<{ id: number }>(`INSERT INTO hasoffers_imports (source_id, status) VALUES ($1, 'running') RETURNING id`, [source])) as [{ id: number }];
    const busy = await api('POST', '/hasoffers-imports', { ...request, from: undefined, to: undefined });
    assert.equal(busy.status, 409, busy.text);
    await here.store.query(`UPDATE hasoffers_imports SET alive_at = now() - interval '3 minutes' WHERE id = $1`, [held]);
    assert.equal((await api('POST', '/hasoffers-imports', { ...request, from: undefined, to: undefined })).status, 202);
    assert.match((await api('GET', `/hasoffers-imports/${held}`)).body.error, /the process stopped during the import/);
    for (let waited = 0; (await here.store.query(`SELECT 1 FROM hasoffers_imports WHERE status = 'running'`)).length > 0 && waited < 600; waited += 1) await sleep(100);
    assert.equal((await api('GET', '/hasoffers-imports/999999')).status, 404);

    const output = await runCommand(
      { store: here.store, hasOffersNetworkId: 'partnerline', publicUrl: here.url, setMaintenance: async () => {} },
      ['import', 'hasoffers', '--url', access.apiUrl, '--network-id', access.networkId, '--token', access.networkToken, '--from', from, '--to', to, '--time-zone', request.timeZone!],
    );
    assert.match(output.text, /finished/);
    assert.match(output.text, /conversion: 0 created, 0 updated, 10 unchanged/);
  });

  test('while partners move, the old network is kept in step: what was imported links back, and only new conversions go there', async () => {
    const api = v1Api(here);
    const connected = await api('POST', '/hasoffers-networks', { name: 'The network we left', ...access, timeZone: request.timeZone });
    assert.equal(connected.status, 201, connected.text);
    const linked = await api('POST', `/hasoffers-networks/${connected.body.id}/link-imported`);
    assert.equal(linked.status, 200, linked.text);
    const [offers, partners] = [await imported('offer'), await imported('partner')];
    const links = (rows: Array<Record<string, number | null>>, local: string, external: string) =>
      new Map(rows.filter((row) => row[external] !== null).map((row) => [String(row[local]), String(row[external])]));
    assert.deepEqual(links(linked.body.offers, 'offerId', 'externalOfferId'), new Map([...offers].map(([there, mine]) => [mine, there])));
    assert.deepEqual(links(linked.body.partners, 'partnerId', 'externalAffiliateId'), new Map([...partners].map(([there, mine]) => [mine, there])));

    const countThere = async () => (await there.store.query<{ n: number }>('SELECT count(*)::int AS n FROM conversions'))[0]!.n;
    const before = await countThere();
    // Imported again after the link: what came from there is not sent back.
    await call('Conversion', 'updateStatus', { id: Object.keys((await call('Conversion', 'findAll', { fields: ['id'], limit: 1 })).data)[0], status: 'approved' });
    assert.equal((await runImport()).status, 'finished');
    const click = await countedClick(here, Number(offers.get(movedOffer)), Number(partners.get(rider)));
    const sale = await here.request('GET', `/aff_lsr?transaction_id=${click}&amount=80&adv_sub=AFTER-THE-MOVE`);
    const id = sale.headers.get('x-partnerline-conversion-id')!;
    const [{ seq }] = (await here.store.query<{ seq: string }>('SELECT seq::text FROM conversions WHERE id = $1', [id])) as [{ seq: string }];
    await settleSync(here.store, () => here.platform.syncOut.run());
    const [made] = await there.store.query<{ offerId: number; partnerId: number }>('SELECT offer_id AS "offerId", partner_id AS "partnerId" FROM conversions WHERE adv_sub1 = $1', [`pl-${seq}`]);
    assert.deepEqual([String(made!.offerId), String(made!.partnerId)], [movedOffer, rider], 'the sale reached the offer and affiliate it came from');
    assert.equal(await countThere(), before + 1, 'and nothing imported went back');
  });
});
