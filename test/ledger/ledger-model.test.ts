import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { OPERATOR } from '../../src/accounts/principal.ts';
import { createOffer } from '../../src/offers/offers.ts';
import { formatMoney, parseMoney } from '../../src/shared/money.ts';
import { countedClick, startTestServer, statsTotals, type Reply, type TestServer } from '../support/test-server.ts';

/**
 * Random histories of postbacks, retries, corrections, batches (JSON and CSV), re-uploads of earlier
 * batches and re-attributions back and forth, sent through the APIs. After each, the ledger must
 * equal a model of what was sent, written here on its own: each row of a batch applied in turn.
 * PROPERTY_SEED and PROPERTY_RUNS replay or widen the search; a failure prints its seed.
 */
const SEED = Number(process.env.PROPERTY_SEED ?? 20261206);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 40);

const ORDERS = ['A', 'B', 'C'];
const CLICKS = 4;
const AMOUNTS = ['10.00', '25.50', '99.99', '0'];
type Status = 'approved' | 'pending' | 'rejected';

type Row =
  | { order: number; status: Status | 'reversed' }
  | { order: number; saleAmount: string }
  | { order: number; reattributeTo: number };
type Command =
  | { kind: 'postback'; order: number; click: number; amount: string; sends: number; daysAgo: number }
  | { kind: 'batch'; rows: Row[]; csv: boolean }
  | { kind: 'resend'; which: number }
  | { kind: 'correct'; order: number; action: 'approve' | 'reject' | 'reverse' | 'adjust'; amount: string };

const row: fc.Arbitrary<Row> = fc.oneof(
  fc.record({ order: fc.nat(ORDERS.length - 1), status: fc.constantFrom<Status | 'reversed'>('approved', 'pending', 'rejected', 'reversed') }),
  fc.record({ order: fc.nat(ORDERS.length - 1), saleAmount: fc.constantFrom(...AMOUNTS) }),
  fc.record({ order: fc.nat(ORDERS.length - 1), reattributeTo: fc.nat(CLICKS - 1) }),
);
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('postback' as const), order: fc.nat(ORDERS.length - 1), click: fc.nat(CLICKS - 1), amount: fc.constantFrom(...AMOUNTS), sends: fc.integer({ min: 1, max: 2 }), daysAgo: fc.nat(2) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('batch' as const), rows: fc.array(row, { minLength: 1, maxLength: 4 }), csv: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('resend' as const), which: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('correct' as const), order: fc.nat(ORDERS.length - 1), action: fc.constantFrom('approve' as const, 'reject' as const, 'reverse' as const, 'adjust' as const), amount: fc.constantFrom(...AMOUNTS) }) },
);

interface ModelOrder {
  click: number;
  status: Status;
  sale: bigint;
}

/** What the ledger must hold: each order's click, status and sale; the clicks a postback converted. */
class Model {
  readonly orders = new Map<number, ModelOrder>();
  readonly converted = new Set<number>();

  postback(order: number, click: number, amount: string): void {
    if (this.orders.has(order) || this.converted.has(click)) return;
    this.converted.add(click);
    this.orders.set(order, { click, status: 'approved', sale: parseMoney(amount)! });
  }

  apply(row: Row): void {
    const order = this.orders.get(row.order);
    if (!order) return;
    if ('reattributeTo' in row) order.click = row.reattributeTo;
    else if ('saleAmount' in row) order.sale = parseMoney(row.saleAmount)!;
    else if (row.status === 'reversed') {
      if (order.status === 'approved') order.status = 'rejected';
    } else order.status = row.status;
  }
}

// The offer pays 1.00 and 10 % of the sale, and earns 2.00 and 20 %.
const payoutOf = (sale: bigint) => 1_000_000n + sale / 10n;
const revenueOf = (sale: bigint) => 2_000_000n + sale / 5n;
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('the ledger equals a model of what was sent, over random histories', () => {
  let server: TestServer;
  let run = 0;

  // The APIs limit the calls a key makes (HasOffers 50 in 10 s): the runs take turns with keys of the network's and the advertiser's own.
  const reportKeys: string[] = [];
  const advertiserKeys: string[] = [];
  before(async () => {
    server = await startTestServer({ TRUST_PROXY: 'true' });
    for (let index = 0; index < 10; index += 1) {
      reportKeys.push((await server.request('POST', '/api/v1/keys', { key: server.keys.admin, body: { name: `reports ${index}` } })).body.key);
      advertiserKeys.push((await server.request('POST', '/api/v1/keys', { key: server.keys.acme, body: { name: `corrections ${index}` } })).body.key);
    }
  });
  const advertiserKey = () => advertiserKeys[run % advertiserKeys.length]!;
  after(() => server.close());

  const replay = async (commands: Command[]) => {
    run += 1;
    const offerId = (
      await createOffer(server.store, OPERATOR, {
        advertiserId: server.demo.advertiserIds[0]!,
        name: `Model run ${run}`,
        destinationUrl: 'https://acme-outdoor.example/model?tid={transaction_id}',
        payoutType: 'cpa_both',
        payoutFlatMicros: 1_000_000n,
        payoutPercentPpm: 100_000,
        revenueType: 'cpa_both',
        revenueFlatMicros: 2_000_000n,
        revenuePercentPpm: 200_000,
      })
    ).id;
    await server.platform.tracker.reloadIfChanged();
    const partners = server.demo.partnerIds.slice(0, 2);
    const clicks: string[] = [];
    for (let index = 0; index < CLICKS; index += 1) clicks.push(await countedClick(server, offerId, partners[index % 2]!));
    // Clicks three days old, so that conversions can be dated on each day since: reports of past days are checked too.
    await server.platform.tracker.writer.flush();
    await server.store.query(`UPDATE clicks SET created_at = now() - interval '3 days' WHERE transaction_id = ANY($1::text[])`, [clicks]);
    const orderId = (order: number) => `R${run}-${ORDERS[order]}`;
    const model = new Model();
    const sent: Array<{ rows: Row[]; csv: boolean }> = [];

    const sendBatch = async (rows: Row[], csv: boolean): Promise<{ updated: number; results: unknown[] }> => {
      const fields = (item: Row) =>
        'reattributeTo' in item ? { reattributeTo: clicks[item.reattributeTo]! } : 'saleAmount' in item ? { saleAmount: item.saleAmount } : { status: item.status };
      const body = csv
        ? 'order_id,offer_id,status,sale_amount,reattribute_to,reason\n' +
          rows
            .map((item) => {
              const f = fields(item);
              return [orderId(item.order), offerId, f.status ?? '', f.saleAmount ?? '', f.reattributeTo ?? '', 'model'].join(',');
            })
            .join('\n')
        : { rows: rows.map((item) => ({ orderId: orderId(item.order), offerId, reason: 'model', ...fields(item) })) };
      const reply = await server.request('POST', '/api/v1/conversions/batch', {
        key: advertiserKey(),
        body,
        ...(csv ? { headers: { 'content-type': 'text/csv' } } : {}),
      });
      assert.equal(reply.status, 200, reply.text);
      for (const item of rows) model.apply(item);
      return reply.body;
    };

    for (const step of commands) {
      if (step.kind === 'postback') {
        for (let send = 0; send < step.sends; send += 1) {
          // Today's come as server postbacks, earlier days' as the advertiser's late API calls.
          const reply: Reply =
            step.daysAgo === 0
              ? await server.request('GET', `/aff_lsr?transaction_id=${clicks[step.click]}&adv_sub=${orderId(step.order)}&amount=${step.amount}`)
              : await server.request('POST', '/api/v1/conversions', {
                  key: advertiserKey(),
                  body: { transactionId: clicks[step.click], orderId: orderId(step.order), saleAmount: step.amount, convertedAt: new Date(Date.now() - step.daysAgo * 86_400_000).toISOString() },
                });
          assert.ok(reply.status === 200 || reply.status === 201 || reply.status === 409 || reply.status === 422, reply.text);
        }
        model.postback(step.order, step.click, step.amount);
      } else if (step.kind === 'batch') {
        await sendBatch(step.rows, step.csv);
        sent.push(step);
        // Sent again at once, a batch changes nothing.
        const again = await sendBatch(step.rows, step.csv);
        assert.equal(again.updated, 0, `a batch sent again changed ${again.updated} rows: ${JSON.stringify(again.results)}`);
      } else if (step.kind === 'resend') {
        if (sent.length > 0) {
          const earlier = sent[step.which % sent.length]!;
          await sendBatch(earlier.rows, earlier.csv);
        }
      } else {
        const [live] = await server.store.query<{ id: string }>(
          'SELECT id::text AS id FROM conversions WHERE offer_id = $1 AND order_id = $2 AND replaced_by_id IS NULL',
          [offerId, orderId(step.order)],
        );
        if (!live) continue;
        const body = step.action === 'adjust' ? { saleAmount: step.amount, reason: 'model' } : { reason: 'model' };
        const reply = await server.request('POST', `/api/v1/conversions/${live.id}/${step.action}`, { key: advertiserKey(), body });
        assert.ok(reply.status === 200 || reply.status === 409, reply.text);
        if (reply.status === 200) {
          const status = step.action === 'approve' ? 'approved' : 'rejected';
          model.apply(step.action === 'adjust' ? { order: step.order, saleAmount: step.amount } : { order: step.order, status: step.action === 'reverse' ? 'reversed' : status });
        }
      }
    }
    await checkLedger(offerId, model, clicks, orderId);
  };

  const checkLedger = async (offerId: number, model: Model, clicks: string[], orderId: (order: number) => string) => {
    const rows = await server.store.query<{
      id: string;
      orderId: string;
      transactionId: string;
      status: Status;
      sale: bigint;
      payout: bigint;
      revenue: bigint;
      replacedById: string | null;
    }>(
      `SELECT id::text AS id, order_id AS "orderId", transaction_id AS "transactionId", status, sale_amount_micros AS sale,
              payout_micros AS payout, revenue_micros AS revenue, replaced_by_id::text AS "replacedById"
       FROM conversions WHERE offer_id = $1 ORDER BY id`,
      [offerId],
    );
    // Every chain of revisions ends.
    const byId = new Map(rows.map((item) => [item.id, item]));
    for (const item of rows) {
      const seen = new Set<string>();
      for (let at: string | null = item.id; at !== null; at = byId.get(at)!.replacedById) {
        assert.ok(!seen.has(at), `the chain from conversion ${item.id} loops`);
        seen.add(at);
      }
    }
    const live = rows.filter((item) => item.replacedById === null);
    const expected = [...model.orders.entries()]
      .map(([order, held]) => ({
        orderId: orderId(order),
        transactionId: clicks[held.click]!,
        status: held.status,
        sale: held.sale,
        payout: payoutOf(held.sale),
        revenue: revenueOf(held.sale),
      }))
      .sort((a, b) => a.orderId.localeCompare(b.orderId));
    const actual = live
      .map(({ orderId: order, transactionId, status, sale, payout, revenue }) => ({ orderId: order, transactionId, status, sale, payout, revenue }))
      .sort((a, b) => a.orderId.localeCompare(b.orderId));
    assert.deepEqual(actual, expected, 'each order is held by exactly one live conversion, as the model holds it');

    // The statistics and the v1 report equal the whole ledger, replaced revisions included.
    const sum = (status: Status, pick: (item: (typeof rows)[number]) => bigint) =>
      rows.filter((item) => item.status === status).reduce((total, item) => total + pick(item), 0n);
    const count = (status: Status) => BigInt(rows.filter((item) => item.status === status).length);
    const totals = await statsTotals(server.store, offerId);
    assert.deepEqual(
      [totals.approved, totals.pending, totals.rejected, totals.approved_payout_micros, totals.approved_revenue_micros, totals.approved_sale_micros, totals.pending_payout_micros],
      [count('approved'), count('pending'), count('rejected'), sum('approved', (item) => item.payout), sum('approved', (item) => item.revenue), sum('approved', (item) => item.sale), sum('pending', (item) => item.payout)],
    );
    // Each local day's figures through the v1 and HasOffers reports equal the ledger's conversions of that day.
    const byDay = await server.store.query<{ date: string; conversions: bigint; payout: bigint }>(
      `SELECT to_char(c.converted_at AT TIME ZONE n.time_zone, 'YYYY-MM-DD') AS date, count(*)::int8 AS conversions, sum(c.payout_micros)::int8 AS payout
       FROM conversions c CROSS JOIN network n WHERE c.offer_id = $1 AND c.status = 'approved' GROUP BY 1 ORDER BY 1`,
      [offerId],
    );
    const expectedDays = byDay.map((row) => ({ date: row.date, conversions: Number(row.conversions), payout: formatMoney(row.payout, 6) }));
    const v1Days = await server.request('GET', `/api/v1/reports/stats?dimensions=date&metrics=conversions,payout&filter=offer_id:eq:${offerId}&filter=conversions:gt:0&from=${day(-4)}&to=${day(1)}`, { key: reportKeys[run % reportKeys.length] });
    assert.deepEqual(v1Days.body.rows, expectedDays, 'v1 days');
    const hasOffers = await server.request(
      'GET',
      `/Apiv3/json?NetworkToken=${reportKeys[run % reportKeys.length]}&Target=Report&Method=getStats&fields[]=Stat.date&fields[]=Stat.conversions&fields[]=Stat.payout&sort[Stat.date]=asc` +
        `&filters[Stat.offer_id][values]=${offerId}&filters[Stat.conversions][conditional]=GREATER_THAN&filters[Stat.conversions][values]=0` +
        `&filters[Stat.date][conditional]=BETWEEN&filters[Stat.date][values][]=${day(-4)}&filters[Stat.date][values][]=${day(1)}`,
    );
    assert.equal(hasOffers.body.response.status, 1, hasOffers.text);
    assert.deepEqual(
      hasOffers.body.response.data.data.map((row: { Stat: { date: string; conversions: string; payout: string } }) => ({ date: row.Stat.date, conversions: Number(row.Stat.conversions), payout: `${row.Stat.payout}0` })),
      expectedDays,
      'HasOffers days',
    );
    const report = await server.request('GET', `/api/v1/reports/stats?metrics=conversions,payout,revenue&filter=offer_id:eq:${offerId}&totals=true&from=${day(-4)}&to=${day(1)}`, {
      key: reportKeys[run % reportKeys.length],
    });
    assert.equal(report.status, 200, report.text);
    assert.deepEqual(report.body.totals, {
      conversions: Number(count('approved')),
      payout: formatMoney(sum('approved', (item) => item.payout), 6),
      revenue: formatMoney(sum('approved', (item) => item.revenue), 6),
    });
  };

  test('postbacks, retries, corrections, batches, re-uploads and re-attributions', async () => {
    await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 3, maxLength: 14 }), replay), { seed: SEED, numRuns: RUNS, endOnFailure: true });
  });
});
