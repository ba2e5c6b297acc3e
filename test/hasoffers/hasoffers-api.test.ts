import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { IPS, startTestServer, USER_AGENTS, type TestServer } from '../support/test-server.ts';

describe('HasOffers/TUNE API v3', () => {
  let server: TestServer;
  let springGear: number;
  let newsletter: number;
  let bestsellers: number;
  let bookClub: number;
  let mobileDeals: number;
  let trailblazer: number;
  let couponCrate: number;
  let networkToken: string;

  /** Calls the API as a HasOffers client would: a GET with bracket parameters, or a form POST. */
  const call = async (query: string, options: { post?: boolean; path?: string } = {}) => {
    const path = options.path ?? '/Apiv3/json';
    const reply = options.post
      ? await server.request('POST', path, { body: query, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      : await server.request('GET', `${path}?${query}`);
    assert.equal(reply.status, 200);
    return reply.body;
  };
  const network = (query: string) => call(`NetworkId=partnerline&NetworkToken=${networkToken}&${query}`);
  const asAffiliate = (key: string, query: string) => call(`api_key=${key}&${query}`);

  before(async () => {
    server = await startTestServer({ TRUST_PROXY: 'true' });
    [springGear, newsletter, bestsellers, bookClub, mobileDeals] = server.demo.offerIds as [number, number, number, number, number];
    [trailblazer, couponCrate] = server.demo.partnerIds as [number, number];
    // Some traffic for the reports: Trailblazer converts twice on the newsletter, CouponCrate once.
    for (const [partner, sub, order] of [
      [trailblazer, 'footer', 'R1'],
      [trailblazer, 'sidebar', 'R2'],
      [couponCrate, 'deal', 'R3'],
    ] as const) {
      const click = await server.request('GET', `/aff_c?offer_id=${newsletter}&aff_id=${partner}&aff_sub=${sub}`, {
        headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US },
      });
      const transactionId = new URL(click.headers.get('location')!).searchParams.get('tid')!;
      assert.equal((await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=${order}&amount=20`)).text, 'success=true;');
    }
  });
  after(() => server.close());
  // Each test calls with a network key of its own, so no test spends another's 50 calls per 10 seconds.
  beforeEach(async (context) => {
    const issued = await server.request('POST', '/api/v1/keys', { key: server.keys.admin, body: { name: context.name.slice(0, 100) } });
    assert.equal(issued.status, 201, issued.text);
    networkToken = issued.body.key;
  });

  test('the envelope echoes the request with strings, and keys the data as HasOffers does', async () => {
    const body = await network(`Target=Offer&Method=findById&id=${newsletter}&fields[]=id&fields[]=name&fields[]=default_payout&fields[]=require_approval&_=1700000000000`);
    assert.deepEqual(Object.keys(body.request).slice(0, 5), ['Target', 'Format', 'Service', 'Version', 'Method']);
    assert.deepEqual(body.request, {
      Target: 'Offer',
      Format: 'json',
      Service: 'HasOffers',
      Version: '2',
      Method: 'findById',
      NetworkId: 'partnerline',
      NetworkToken: networkToken,
      id: String(newsletter),
      fields: ['id', 'name', 'default_payout', 'require_approval'],
      _: '1700000000000',
    });
    assert.deepEqual(body.response, {
      status: 1,
      httpStatus: 200,
      data: { Offer: { id: String(newsletter), name: 'Acme Outdoor - Newsletter Signup', default_payout: '2.50000', require_approval: '0' } },
      errors: [],
      errorMessage: null,
    });
  });

  test('all four URL forms and form POSTs answer alike', async () => {
    const query = `NetworkToken=${server.keys.admin}&Method=findById&id=${newsletter}&fields[]=name`;
    const forms = [
      await call(`Target=Offer&${query}`),
      await call(`Target=Offer&${query}`, { post: true }),
      await call(`NetworkId=partnerline&${query}`, { path: '/v3/Offer.json' }),
      await call(`Format=json&Service=HasOffers&Version=2&Target=Offer&${query}`, { path: '/Api' }),
      await call(`Target=Offer&${query.replaceAll('[', '%5B').replaceAll(']', '%5D')}`),
    ];
    for (const body of forms) assert.deepEqual(body.response.data, { Offer: { name: 'Acme Outdoor - Newsletter Signup' } });
    assert.equal(forms[2].request.Version, '3');
    assert.equal(forms[2].request.Target, 'Offer');
    const jsonp = await server.request('GET', `/Apiv3/json?Target=Offer&${query}&callback=handleOffer`);
    assert.equal(jsonp.headers.get('content-type'), 'application/javascript');
    assert.match(jsonp.text, /^handleOffer\(\{"request":.*Newsletter Signup"\}\},"errors":\[\],"errorMessage":null\}\}\);$/);
    const badFormat = await call(query, { path: '/Apiv3/xml' });
    assert.deepEqual(badFormat, { response: { errors: [{ publicMessage: 'Unsupported output format in URL' }], link: 'http://developers.hasoffers.com/' } });
    const badNetwork = await call(`NetworkId=other&Target=Offer&${query}`);
    assert.deepEqual(badNetwork, { response: { errors: { publicMessage: 'Network id is not valid' }, link: 'http://developers.hasoffers.com/' } });
  });

  test('the spec\'s errors, in the envelope, never an HTTP error', async () => {
    const cases: Array<[string, string]> = [
      ['NetworkToken=wrong&Target=Offer&Method=findAll', 'NetworkToken wrong is not authenticated'],
      [`NetworkToken=${server.keys.trailblazer}&Target=Offer&Method=findAll`, `NetworkToken ${server.keys.trailblazer} is not authenticated`],
      [`api_key=${server.keys.admin}&Target=Affiliate_Offer&Method=findAll`, `api_key ${server.keys.admin} is not authenticated`],
      [`NetworkToken=${server.keys.admin}&Target=Offer&Method=findById`, 'Missing required argument: id'],
      [`NetworkToken=${server.keys.admin}&Target=Offer&Method=findAll&fields[]=Offer.nam`, "Field 'Offer.nam' does not exist or is not allowed to be used."],
      [`NetworkToken=${server.keys.admin}&Target=Offer&Method=findAll&filters[bogus]=1`, "Field 'bogus' does not exist or is not allowed to be used."],
      [`NetworkToken=${server.keys.admin}&Target=Nothing&Method=findAll`, "Target 'Nothing' does not exist"],
      [`NetworkToken=${server.keys.admin}&Target=Offer&Method=explode`, "Method 'explode' does not exist on target 'Offer'"],
      [`NetworkToken=${server.keys.admin}&Target=Report&Method=getStats`, 'Missing required argument: fields'],
      [`NetworkToken=${server.keys.admin}&Target=Offer&Method=findById&id=-4`, 'Row id is negative'],
      [`NetworkToken=${server.keys.admin}&Target=Offer&Method=findAll&filters[name]=a%00`, 'Text must not contain NUL characters'],
      [`NetworkToken=${server.keys.admin}&Target=Affiliate&Method=create&data[company]=a%00b`, 'Text must not contain NUL characters'],
    ];
    for (const [query, message] of cases) {
      const body = await call(query);
      assert.equal(body.response.status, -1, query);
      assert.equal(body.response.httpStatus, 200);
      assert.equal(body.response.data, '');
      assert.equal(body.response.errorMessage, message, query);
      assert.deepEqual(body.response.errors, [{ publicMessage: message }]);
    }
    const badPattern = await network('Target=Offer&Method=findAll&filters[name][RLIKE]=(');
    assert.equal(badPattern.response.status, -1);
    assert.match(badPattern.response.errorMessage, /^Invalid value: invalid regular expression/);
    const missing = await network('Target=Offer&Method=findById&id=99999');
    assert.equal(missing.response.status, 1);
    assert.equal(missing.response.data, null);
  });

  test('findAll: id-keyed map, [] when empty, the paging wrapper with limit, filters with operators and OR, sort', async () => {
    const all = await network('Target=Offer&Method=findAll&fields[]=id&fields[]=payout_type&sort[Offer.id]=desc');
    assert.deepEqual(Object.keys(all.response.data).sort(), server.demo.offerIds.map(String).sort());
    assert.equal(all.response.data[String(newsletter)].Offer.payout_type, 'cpa_flat');
    const none = await network('Target=Offer&Method=findAll&filters[name][LIKE]=%25nothing%25');
    assert.deepEqual(none.response.data, []);
    // A trailing backslash is a literal one, as in MySQL's LIKE.
    const backslash = await network('Target=Offer&Method=findAll&filters[name][LIKE]=%25%5C');
    assert.equal(backslash.response.status, 1);
    assert.deepEqual(backslash.response.data, []);
    const paged = await network('Target=Offer&Method=findAll&fields[]=id&limit=2&page=2&sort[id]=asc');
    assert.equal(paged.response.data.page, 2);
    assert.equal(paged.response.data.current, 2);
    assert.equal(paged.response.data.count, 5);
    assert.equal(paged.response.data.pageCount, 3);
    assert.deepEqual(Object.keys(paged.response.data.data), [String(bestsellers), String(bookClub)]);
    const cpc = await network('Target=Offer&Method=findAll&fields[]=id&filters[payout_type]=cpc');
    assert.deepEqual(Object.keys(cpc.response.data).sort(), [String(springGear), String(mobileDeals)].sort());
    const inList = await network(`Target=Offer&Method=findAll&fields[]=id&filters[id][]=${newsletter}&filters[id][]=${bookClub}`);
    assert.deepEqual(Object.keys(inList.response.data).sort(), [String(newsletter), String(bookClub)].sort());
    const either = await network('Target=Offer&Method=findAll&fields[]=id&filters[OR][payout_type]=cpa_both&filters[OR][require_approval]=1&filters[status]=active');
    assert.deepEqual(Object.keys(either.response.data).sort(), [String(bestsellers), String(bookClub)].sort());
    const compare = await network('Target=Offer&Method=findAll&fields[]=id&filters[default_payout][GREATER_THAN_OR_EQUAL_TO]=2.5');
    assert.deepEqual(Object.keys(compare.response.data).sort(), [String(newsletter), String(bookClub)].sort());
  });

  test('findMyApprovedOffers is the open marketplace plus invite-only offers the affiliate was approved for, never blocked or paused ones', async () => {
    const names = async (key: string) => {
      const body = await asAffiliate(key, 'Target=Affiliate_Offer&Method=findMyApprovedOffers&fields[]=id&fields[]=approval_status');
      return body.response.data === null || Array.isArray(body.response.data) ? [] : Object.keys(body.response.data).map(Number).sort((a, b) => a - b);
    };
    assert.deepEqual(await names(server.keys.trailblazer), [springGear, newsletter, bestsellers, bookClub, mobileDeals]);
    assert.deepEqual(await names(server.keys.couponCrate), [springGear, newsletter, mobileDeals]);
    assert.deepEqual(await names(server.keys.socialSpark), [springGear, mobileDeals]);
    await network(`Target=Offer&Method=update&id=${springGear}&data[status]=paused`);
    assert.ok(!(await names(server.keys.couponCrate)).includes(springGear));
    await network(`Target=Offer&Method=update&id=${springGear}&data[status]=active`);
    const approval = await network(`Target=Offer&Method=setAffiliateApproval&id=${bookClub}&affiliate_id=${couponCrate}&status=approved`);
    assert.equal(approval.response.data, true);
    assert.ok((await names(server.keys.couponCrate)).includes(bookClub));
    const status = await network(`Target=Offer&Method=getAffiliateApprovalStatus&id=${bookClub}&affiliate_id=${couponCrate}`);
    assert.equal(status.response.data, 'approved');
    const open = await network(`Target=Offer&Method=getAffiliateApprovalStatus&id=${newsletter}&affiliate_id=${couponCrate}`);
    assert.equal(open.response.data, 'approved');
  });

  test('affiliates see only their fields; contain[] sets related models beside each offer', async () => {
    const body = await asAffiliate(server.keys.trailblazer, `Target=Affiliate_Offer&Method=findById&id=${bookClub}&contain[]=TrackingLink&contain[]=Goal&contain[]=Thumbnail`);
    const data = body.response.data;
    assert.equal(data.Offer.approval_status, 'approved');
    assert.equal(data.Offer.offer_url, undefined);
    assert.equal(data.Offer.max_payout, undefined);
    assert.match(data.TrackingLink.click_url, new RegExp(`/aff_c\\?offer_id=${bookClub}&aff_id=${trailblazer}$`));
    assert.deepEqual(Object.values(data.Goal).map((goal) => (goal as { name: string }).name).sort(), ['Paid membership', 'Trial']);
    for (const goal of Object.values(data.Goal) as Array<Record<string, unknown>>) {
      assert.deepEqual([goal.max_payout, goal.max_percent_payout, goal.revenue_type], [undefined, undefined, undefined], 'what the advertiser pays is not shown');
    }
    assert.deepEqual(data.Thumbnail, []);
    const hidden = await asAffiliate(server.keys.trailblazer, 'Target=Affiliate_Offer&Method=findAll&fields[]=offer_url');
    assert.equal(hidden.response.errorMessage, "Field 'offer_url' does not exist or is not allowed to be used.");
    const link = await asAffiliate(server.keys.trailblazer, `Target=Affiliate_Offer&Method=generateTrackingLink&offer_id=${newsletter}&params[aff_sub]=abc&options[tiny_url]=1`);
    assert.deepEqual([link.response.data.offer_id, link.response.data.affiliate_id], [String(newsletter), String(server.demo.partnerIds[0])], 'ids are strings, as HasOffers gives them');
    assert.match(link.response.data.click_url, /\/t\/[a-z0-9]{8}$/);
    const notApproved = await asAffiliate(server.keys.couponCrate, `Target=Affiliate_Offer&Method=generateTrackingLink&offer_id=${bestsellers}`);
    assert.equal(notApproved.response.status, -1);
    const me = await asAffiliate(server.keys.trailblazer, 'Target=Affiliate_Affiliate&Method=findById&fields[]=company');
    assert.deepEqual(me.response.data, { Affiliate: { company: 'Trailblazer Reviews' } });
  });

  test('getStats: grouped rows, 5-decimal money, totals, the caller\'s scope', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const range = `filters[Stat.date][conditional]=BETWEEN&filters[Stat.date][values][]=2026-01-01&filters[Stat.date][values][]=2030-12-31`;
    const mine = await asAffiliate(
      server.keys.trailblazer,
      `Target=Affiliate_Report&Method=getStats&fields[]=Stat.clicks&fields[]=Stat.conversions&fields[]=Stat.payout&fields[]=Offer.name&fields[]=Stat.affiliate_info1&sort[Stat.affiliate_info1]=asc&totals=1&${range}`,
    );
    assert.equal(mine.response.status, 1, JSON.stringify(mine.response.errors));
    const data = mine.response.data;
    assert.equal(data.dbSource, 'branddb');
    assert.deepEqual(
      data.data.filter((row: { Offer: { name: string } }) => row.Offer.name === 'Acme Outdoor - Newsletter Signup'),
      [
        { Stat: { clicks: '1', conversions: '1', payout: '2.50000', affiliate_info1: 'footer' }, Offer: { name: 'Acme Outdoor - Newsletter Signup' } },
        { Stat: { clicks: '1', conversions: '1', payout: '2.50000', affiliate_info1: 'sidebar' }, Offer: { name: 'Acme Outdoor - Newsletter Signup' } },
      ],
    );
    assert.deepEqual(data.totals, { Stat: { clicks: '2', conversions: '2', payout: '5.00000' } });
    const revenue = await asAffiliate(server.keys.trailblazer, `Target=Affiliate_Report&Method=getStats&fields[]=Stat.revenue&${range}`);
    assert.equal(revenue.response.errorMessage, "Field 'Stat.revenue' does not exist or is not allowed to be used.");

    const networkStats = await network(
      `Target=Report&Method=getStats&fields[]=Stat.date&fields[]=Stat.affiliate_id&fields[]=Stat.conversions&fields[]=Stat.revenue&fields[]=Stat.profit&fields[]=Stat.ltr&filters[Stat.offer_id][conditional]=EQUAL_TO&filters[Stat.offer_id][values]=${newsletter}&${range}&sort[Stat.affiliate_id]=asc`,
    );
    const rows = networkStats.response.data.data;
    assert.deepEqual(rows.map((row: { Stat: Record<string, string> }) => [row.Stat.affiliate_id, row.Stat.conversions, row.Stat.revenue, row.Stat.profit, row.Stat.ltr]), [
      [String(trailblazer), '2', '8.00000', '3.00000', '100.00'],
      [String(couponCrate), '1', '4.00000', '1.50000', '100.00'],
    ]);
    assert.ok(rows.every((row: { Stat: { date: string } }) => row.Stat.date <= today || row.Stat.date.length === 10));

    const advertiser = await call(
      `api_key=${server.keys.acme}&Target=Advertiser_Report&Method=getStats&fields[]=Stat.offer_id&fields[]=Stat.conversions&fields[]=Stat.payout&${range}`,
    );
    const newsletterRow = advertiser.response.data.data.find((row: { Stat: { offer_id: string } }) => row.Stat.offer_id === String(newsletter));
    assert.deepEqual(newsletterRow, { Stat: { offer_id: String(newsletter), conversions: '3', payout: '12.00000' } }, 'an advertiser\'s payout is what it pays');
    const brightside = await call(`api_key=${server.keys.brightside}&Target=Advertiser_Report&Method=getStats&fields[]=Stat.offer_id&fields[]=Stat.conversions&${range}`);
    assert.ok(brightside.response.data.data.every((row: { Stat: { offer_id: string } }) => row.Stat.offer_id !== String(newsletter)));
  });

  test('getConversions lists conversions with the report wrapper', async () => {
    const body = await asAffiliate(
      server.keys.couponCrate,
      'Target=Affiliate_Report&Method=getConversions&fields[]=Stat.id&fields[]=Stat.conversion_status&fields[]=Stat.payout&fields[]=Stat.affiliate_info1&fields[]=Offer.name&limit=10',
    );
    const data = body.response.data;
    assert.equal(data.count, 1);
    assert.deepEqual(data.data[0].Stat.conversion_status, 'approved');
    assert.equal(data.data[0].Stat.payout, '2.50000');
    assert.equal(data.data[0].Stat.affiliate_info1, 'deal');
    // hour_offset shifts the network's clock for the caller: three hours west, say.
    const at = async (offset: string) =>
      (await asAffiliate(server.keys.couponCrate, `Target=Affiliate_Report&Method=getConversions&fields[]=Stat.datetime&hour_offset=${offset}`)).response;
    const [local, west] = [(await at('0')).data.data[0].Stat.datetime, (await at('-3')).data.data[0].Stat.datetime];
    assert.equal(Date.parse(`${local.replace(' ', 'T')}Z`) - Date.parse(`${west.replace(' ', 'T')}Z`), 3 * 3_600_000);
    assert.equal((await at('1.5')).errorMessage, 'hour_offset must be a whole number of hours');
  });

  test('the network API writes offers, affiliates, advertisers and conversions through the ledger', async () => {
    const advertiser = await network('Target=Advertiser&Method=create&data[company]=Evergreen Tea&data[website]=https://evergreen-tea.example&data[status]=active');
    assert.equal(advertiser.response.status, 1, JSON.stringify(advertiser.response.errors));
    const advertiserId = advertiser.response.data.Advertiser.id;
    const offer = await network(
      `Target=Offer&Method=create&data[name]=Evergreen Trial&data[advertiser_id]=${advertiserId}&data[offer_url]=https://evergreen-tea.example/?t={transaction_id}&data[payout_type]=cpa_percentage&data[percent_payout]=20&data[revenue_type]=cpa_percentage&data[max_percent_payout]=30&data[status]=active`,
    );
    assert.equal(offer.response.status, 1, JSON.stringify(offer.response.errors));
    assert.equal(offer.response.data.Offer.percent_payout, '20.00');
    const offerId = offer.response.data.Offer.id;
    const invalid = await network(`Target=Offer&Method=update&id=${offerId}&data[status]=sleeping`);
    assert.deepEqual(invalid.response.errors, [{ err_code: 3, err_msg: 'Status must be one of: active, paused, pending, expired, deleted', attribute_name: 'status', publicMessage: 'Could not save offer.' }]);
    const affiliate = await network('Target=Affiliate&Method=create&data[company]=Leafy Blog&data[status]=active');
    const affiliateId = affiliate.response.data.Affiliate.id;
    const badStatus = await network(`Target=Affiliate&Method=update&id=${affiliateId}&data[status]=sleepy`);
    assert.equal(badStatus.response.errors[0].attribute_name, 'status');
    assert.match(badStatus.response.errors[0].err_msg, /pending, active, blocked, deleted, rejected/);
    const unnamed = await network(`Target=Affiliate&Method=update&id=${affiliateId}&data[company]=`);
    assert.deepEqual(unnamed.response.errors, [{ err_code: 3, err_msg: 'must not be empty', attribute_name: 'company', publicMessage: 'Could not update affiliate.' }]);
    const badPayout = await network(`Target=Offer&Method=update&id=${offerId}&data[default_payout]=1e3`);
    assert.deepEqual(badPayout.response.errors, [
      {
        err_code: 3,
        err_msg: 'default_payout must be a non-negative amount with at most 6 decimals and 12 digits before the point',
        attribute_name: 'default_payout',
        publicMessage: 'Could not save offer.',
      },
    ]);

    const conversion = await network(`Target=Conversion&Method=create&data[offer_id]=${offerId}&data[affiliate_id]=${affiliateId}&data[sale_amount]=50&data[advertiser_info]=TEA-1`);
    assert.equal(conversion.response.status, 1, JSON.stringify(conversion.response.errors));
    const made = conversion.response.data.Conversion;
    assert.deepEqual([made.status, made.status_code, made.is_adjustment, made.payout, made.revenue, made.sale_amount], ['approved', '52', '1', '10.00000', '15.00000', '50.00000']);
    const updated = await network(`Target=Conversion&Method=update&id=${made.id}&data[sale_amount]=40&data[status]=pending`);
    assert.deepEqual([updated.response.data.Conversion.payout, updated.response.data.Conversion.status], ['8.00000', 'pending']);
    assert.equal((await network(`Target=Conversion&Method=updateStatus&id=${made.id}&status=rejected`)).response.data, true);
    const history = await server.request('GET', `/api/v1/conversions/${made.id}`, { key: server.keys.admin });
    assert.deepEqual(history.body.history.map((entry: { type: string }) => entry.type), ['created', 'adjusted', 'pending', 'rejected']);
    const found = await network(`Target=Conversion&Method=findAll&filters[offer_id]=${offerId}&fields[]=status&fields[]=payout`);
    assert.deepEqual(found.response.data, { [made.id]: { Conversion: { status: 'rejected', payout: '8.00000' } } });

    // A datetime is the network's wall clock, read as it is written back.
    const late = await network(`Target=Conversion&Method=create&data[offer_id]=${offerId}&data[affiliate_id]=${affiliateId}&data[sale_amount]=5&data[advertiser_info]=TEA-2&data[datetime]=2026-07-01 10:30:00`);
    assert.equal(late.response.status, 1, JSON.stringify(late.response.errors));
    const lateId = late.response.data.Conversion.id;
    assert.equal((await network(`Target=Conversion&Method=findById&id=${lateId}&fields[]=datetime`)).response.data.Conversion.datetime, '2026-07-01 10:30:00');
    const [stored] = await server.store.query<{ local: string }>(
      `SELECT to_char(c.converted_at AT TIME ZONE n.time_zone, 'YYYY-MM-DD HH24:MI:SS') AS local FROM conversions c, network n WHERE c.id = $1`,
      [lateId],
    );
    assert.equal(stored!.local, '2026-07-01 10:30:00');
    const badTime = await network(`Target=Conversion&Method=create&data[offer_id]=${offerId}&data[affiliate_id]=${affiliateId}&data[datetime]=2026-07-01T25:00`);
    assert.equal(badTime.response.errors[0].attribute_name, 'datetime');
    // Ids and hours the store could not hold are invalid attributes, not database errors.
    for (const [query, attribute] of [
      [`Target=Conversion&Method=create&data[offer_id]=abc&data[affiliate_id]=${affiliateId}`, 'offer_id'],
      [`Target=Conversion&Method=create&data[offer_id]=${offerId}&data[affiliate_id]=99999999999`, 'affiliate_id'],
      [`Target=Offer&Method=create&data[name]=X&data[advertiser_id]=abc&data[offer_url]=https://evergreen-tea.example/`, 'advertiser_id'],
      [`Target=Offer&Method=update&id=${offerId}&data[session_hours]=99999999999`, 'session_hours'],
    ] as Array<[string, string]>) {
      const refused = await network(query);
      assert.equal(refused.response.status, -1, query);
      assert.equal(refused.response.errors[0].attribute_name, attribute, query);
    }
    const nested = await network('Target=Offer&Method=create&data[name][en]=Nested&data[advertiser_id]=1&data[offer_url]=https://evergreen-tea.example/');
    assert.equal(nested.response.status, -1);
    assert.equal(nested.response.errors[0].publicMessage, 'Invalid value for data[name]: one value is expected, not a list or nested fields');
    const misnamed = await network('Target=Offer&Method=findAll&filters[name]=[object Object]');
    assert.deepEqual(misnamed.response.data, []);
  });

  test("the network API adds and changes goals, and sets and removes an offer's caps as HasOffers fields", async () => {
    const offer = await network(
      `Target=Offer&Method=create&data[name]=Evergreen Goals&data[advertiser_id]=${server.demo.advertiserIds[0]}&data[offer_url]=https://acme-outdoor.example/?t={transaction_id}&data[payout_type]=cpa_flat&data[default_payout]=1&data[max_payout]=2&data[conversion_cap]=2&data[monthly_payout_cap]=150.5`,
    );
    assert.equal(offer.response.status, 1, JSON.stringify(offer.response.errors));
    const offerId = offer.response.data.Offer.id;
    assert.deepEqual([offer.response.data.Offer.conversion_cap, offer.response.data.Offer.monthly_payout_cap, offer.response.data.Offer.revenue_cap], ['2', '150.50', '0.00']);

    const goal = await network(`Target=Goal&Method=create&data[offer_id]=${offerId}&data[name]=Subscription&data[payout_type]=cpa_both&data[default_payout]=4&data[percent_payout]=10&data[revenue_type]=cpa_flat&data[max_payout]=7`);
    assert.equal(goal.response.status, 1, JSON.stringify(goal.response.errors));
    const created = goal.response.data.Goal;
    assert.deepEqual([created.offer_id, created.name, created.payout_type, created.default_payout, created.percent_payout, created.max_payout, created.status], [String(offerId), 'Subscription', 'cpa_both', '4.00000', '10.00', '7.00000', 'active']);
    const namesake = await network(`Target=Goal&Method=create&data[offer_id]=${offerId}&data[name]=subscription`);
    assert.equal(namesake.response.status, -1);
    assert.match(namesake.response.errorMessage, /already has a goal named "subscription"/);
    const byClick = await network(`Target=Goal&Method=create&data[offer_id]=${offerId}&data[name]=Clicks&data[payout_type]=cpc`);
    assert.equal(byClick.response.errors[0].attribute_name, 'payout_type');

    const changed = await network(`Target=Goal&Method=update&id=${created.id}&data[default_payout]=4.5&data[approve_conversions]=1`);
    assert.deepEqual([changed.response.data.Goal.default_payout, changed.response.data.Goal.approve_conversions], ['4.50000', '1']);
    const click = await server.request('GET', `/aff_c?offer_id=${offerId}&aff_id=${trailblazer}`, { headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US } });
    const transactionId = new URL(click.headers.get('location')!).searchParams.get('t')!;
    const converted = await server.request('GET', `/aff_goal?a=lsr&goal_id=${created.id}&transaction_id=${transactionId}&amount=20&format=json`);
    assert.equal(converted.body.success, true, converted.text);
    const [ledger] = await server.store.query<{ payout: bigint }>('SELECT payout_micros AS payout FROM conversions WHERE id = $1', [converted.body.conversion_id]);
    assert.deepEqual([converted.body.status, ledger!.payout], ['pending', 6_500_000n], 'the changed payout, 4.50 and 10 % of 20.00, held for approval');

    const uncapped = await network(`Target=Offer&Method=update&id=${offerId}&data[conversion_cap]=0&data[lifetime_conversion_cap]=1000`);
    assert.deepEqual([uncapped.response.data.Offer.conversion_cap, uncapped.response.data.Offer.lifetime_conversion_cap], ['0', '1000']);
    const [caps] = await server.store.query<{ count: bigint }>('SELECT count(*)::int8 AS count FROM caps WHERE offer_id = $1', [offerId]);
    assert.equal(caps!.count, 2n, 'the monthly payout cap and the lifetime conversion cap');
    const badCap = await network(`Target=Offer&Method=update&id=${offerId}&data[conversion_cap]=2.5&data[name]=Renamed`);
    assert.equal(badCap.response.errors[0].attribute_name, 'conversion_cap');
    assert.equal((await network(`Target=Offer&Method=findById&id=${offerId}&fields[]=name`)).response.data.Offer.name, 'Evergreen Goals', 'a refused update changes nothing');
  });

  test('a write sent again with its Idempotency-Key answers the first call and makes nothing more', async () => {
    const send = (query: string, key: string, post = false) => {
      const body = `NetworkToken=${networkToken}&${query}`;
      const headers = { 'idempotency-key': key };
      return post
        ? server.request('POST', '/Apiv3/json', { body, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' } })
        : server.request('GET', `/Apiv3/json?${body}`, { headers });
    };
    const affiliates = async (company: string) =>
      (await server.store.query<{ n: number }>('SELECT count(*)::int AS n FROM partners WHERE name = $1', [company]))[0]!.n;

    const create = 'Target=Affiliate&Method=create&data[company]=Retry Media&data[status]=active';
    const first = await send(create, 'retry-media-1', true);
    assert.equal(first.body.response.status, 1, JSON.stringify(first.body.response.errors));
    assert.equal(first.headers.get('idempotent-replayed'), null);
    const again = await send(create, 'retry-media-1', true);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body.response.data, first.body.response.data);
    assert.equal(await affiliates('Retry Media'), 1);

    const reused = await send('Target=Affiliate&Method=create&data[company]=Other Media', 'retry-media-1', true);
    assert.equal(reused.body.response.status, -1);
    assert.equal(reused.body.response.errorMessage, 'This Idempotency-Key was already used with a different request');
    assert.equal(await affiliates('Other Media'), 0);

    // A call that fails claims no key: corrected, the same key is free to make the record.
    const offer = (type: string) => `Target=Offer&Method=create&data[name]=Retry Trial&data[advertiser_id]=1&data[offer_url]=https://acme-outdoor.example/&data[payout_type]=${type}`;
    const refused = await send(offer('per_hug'), 'retry-trial');
    assert.equal(refused.body.response.errors[0].attribute_name, 'payout_type');
    const made = await send(offer('cpa_flat'), 'retry-trial');
    assert.equal(made.body.response.status, 1, JSON.stringify(made.body.response.errors));
    assert.equal((await send(offer('cpa_flat'), 'retry-trial')).body.response.data.Offer.id, made.body.response.data.Offer.id);
    const offers = await server.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM offers WHERE name = 'Retry Trial'`);
    assert.equal(offers[0]!.n, 1);

    const tooLong = await send(create, 'k'.repeat(256), true);
    assert.equal(tooLong.body.response.errorMessage, 'Idempotency-Key: must be 1 to 255 characters');
    assert.equal(await affiliates('Retry Media'), 1);
  });

  test('a create sent again without a key, as HasOffers clients retry, answers the first record for ten minutes', async () => {
    const create = `Target=Advertiser&Method=create&data[company]=Plain Retry Outfitters&data[status]=active`;
    const advertisers = async () =>
      (await server.store.query<{ id: number }>(`SELECT id FROM advertisers WHERE name = 'Plain Retry Outfitters' ORDER BY id`)).map((row) => row.id);
    const first = await server.request('GET', `/Apiv3/json?NetworkToken=${networkToken}&${create}`);
    assert.equal(first.body.response.status, 1, JSON.stringify(first.body.response.errors));
    const retried = await server.request('GET', `/Apiv3/json?NetworkToken=${networkToken}&${create}`);
    assert.equal(retried.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(retried.body.response.data, first.body.response.data);
    assert.deepEqual(await advertisers(), [Number(first.body.response.data.Advertiser.id)]);

    // Posted, the same call is another request: it makes its own record, once however often it is sent.
    const posted = () =>
      server.request('POST', '/Apiv3/json', { body: `NetworkToken=${networkToken}&${create}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const [viaPost, viaPostAgain] = [await posted(), await posted()];
    assert.deepEqual(viaPostAgain.body.response.data, viaPost.body.response.data);
    assert.equal((await advertisers()).length, 2);

    await server.store.query(`UPDATE idempotency_keys SET created_at = created_at - interval '11 minutes' WHERE key LIKE 'hasoffers-create:%'`);
    const later = await server.request('GET', `/Apiv3/json?NetworkToken=${networkToken}&${create}`);
    assert.equal(later.headers.get('idempotent-replayed'), null);
    assert.notEqual(later.body.response.data.Advertiser.id, first.body.response.data.Advertiser.id);
    assert.equal((await advertisers()).length, 3, 'after ten minutes the same call is a new record');
  });

  test('a write that fails part-way changes nothing', async () => {
    const refused = await network('Target=Advertiser&Method=create&data[company]=Half Made Ltd&data[status]=sleepy');
    assert.equal(refused.response.errors[0].attribute_name, 'status');
    const found = await network('Target=Advertiser&Method=findAll&filters[company]=Half Made Ltd');
    assert.deepEqual(found.response.data, []);
  });

  test('a HEAD runs no method, though HasOffers writes through GET', async () => {
    for (const path of ['/Apiv3/json', '/v3/Affiliate.json']) {
      const looked = await server.request('HEAD', `${path}?NetworkToken=${networkToken}&Target=Affiliate&Method=create&data[company]=Head Check Media`);
      assert.equal(looked.status, 200, path);
      assert.equal(looked.headers.get('content-type'), 'application/json', path);
    }
    const found = await network('Target=Affiliate&Method=findAll&filters[company]=Head Check Media');
    assert.deepEqual(found.response.data, []);
  });

  test('Conversion::create with number makes that many adjustments together, or none', async () => {
    const count = async () =>
      (await server.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM conversions WHERE offer_id = $1 AND partner_id = $2 AND is_adjustment`, [newsletter, couponCrate]))[0]!.n;
    const before = await count();
    const request = `Target=Conversion&Method=create&number=3&data[offer_id]=${newsletter}&data[affiliate_id]=${couponCrate}&data[sale_amount]=5`;
    const made = await network(request);
    assert.equal(made.response.status, 1, JSON.stringify(made.response.errors));
    assert.equal(made.response.data.Conversion.offer_id, String(newsletter));
    assert.equal(await count(), before + 3);
    // The same request again is a retry: it answers the first conversion and makes none.
    assert.equal((await network(request)).response.data.Conversion.id, made.response.data.Conversion.id);
    assert.equal(await count(), before + 3);
    for (const number of ['0', '101', 'two']) {
      const refused = await network(`Target=Conversion&Method=create&number=${number}&data[offer_id]=${newsletter}&data[affiliate_id]=${couponCrate}`);
      assert.equal(refused.response.errorMessage, 'number must be a whole number from 1 to 100', number);
    }
    assert.equal(await count(), before + 3);
  });

  test('OfferPixel: an affiliate registers a postback, lists it, and may only delete it', async () => {
    const created = await asAffiliate(server.keys.socialSpark, `Target=Affiliate_OfferPixel&Method=create&data[offer_id]=${springGear}&data[type]=url&data[code]=https://socialspark.example/pb?t={transaction_id}`);
    assert.equal(created.response.data, true);
    const list = await asAffiliate(server.keys.socialSpark, 'Target=Affiliate_OfferPixel&Method=findAll');
    const [id, pixel] = Object.entries(list.response.data)[0] as [string, { OfferPixel: { offer_id: string; status: string } }];
    assert.equal(pixel.OfferPixel.offer_id, String(springGear));
    const other = await asAffiliate(server.keys.trailblazer, `Target=Affiliate_OfferPixel&Method=updateStatus&id=${id}&status=deleted`);
    assert.equal(other.response.status, -1);
    const paused = await asAffiliate(server.keys.socialSpark, `Target=Affiliate_OfferPixel&Method=updateStatus&id=${id}&status=paused`);
    assert.equal(paused.response.status, -1);
    assert.equal((await asAffiliate(server.keys.socialSpark, `Target=Affiliate_OfferPixel&Method=updateStatus&id=${id}&status=deleted`)).response.data, true);
    assert.deepEqual((await asAffiliate(server.keys.socialSpark, 'Target=Affiliate_OfferPixel&Method=findAll')).response.data, []);

    const toLoopback = await asAffiliate(server.keys.socialSpark, `Target=Affiliate_OfferPixel&Method=create&data[offer_id]=0&data[type]=url&data[code]=http://127.0.0.1:9/pb?t={transaction_id}`);
    assert.deepEqual(toLoopback.response.errors, [
      {
        err_code: 3,
        err_msg: '127.0.0.1 is a private or loopback address, which postbacks reach only when the operator sets POSTBACK_ALLOW_PRIVATE',
        attribute_name: 'code',
        publicMessage: 'Could not create offer pixel.',
      },
    ]);
    assert.deepEqual((await asAffiliate(server.keys.socialSpark, 'Target=Affiliate_OfferPixel&Method=findAll')).response.data, []);
  });

  test('categories, the credential ping, and the rate limit of 50 calls per 10 seconds', async () => {
    const categories = await network('Target=Application&Method=findAllOfferCategories');
    assert.ok(Object.values(categories.response.data).some((row) => (row as { OfferCategory: { name: string } }).OfferCategory.name === 'Books & Media'));
    const statuses = [];
    for (let index = 0; index < 51; index += 1) {
      statuses.push((await call(`NetworkToken=${server.keys.agency}&Target=Application&Method=validNetworkApiKey`)).response);
    }
    assert.ok(statuses.slice(0, 50).every((response) => response.errorMessage === `NetworkToken ${server.keys.agency} is not authenticated`));
    assert.equal(statuses[50].status, -1);
    assert.match(statuses[50].errorMessage, /^API usage exceeded rate limit\.  Configured: 50\/10s window; Your usage: 51\./);
    const ping = await network('Target=Application&Method=validNetworkApiKey');
    assert.equal(ping.response.data, true);
  });
  test('what sync and reporting tools call besides: ids, approvals by status, tiers, and conversions added or changed in a window', async () => {
    const ids = (await network('Target=Offer&Method=findAllIds')).response.data as string[];
    assert.ok(ids.includes(String(newsletter)) && ids.every((id) => /^\d+$/.test(id)));
    const byIds = await network(`Target=Offer&Method=findAllByIds&ids[]=${newsletter}&ids[]=${bookClub}&fields[]=name`);
    assert.deepEqual(Object.keys(byIds.response.data).toSorted(), [String(newsletter), String(bookClub)].toSorted());
    assert.equal((await network('Target=Offer&Method=findAllByIds')).response.status, -1, 'ids[] is required');
    const affiliates = Object.keys((await network('Target=Affiliate&Method=findAll&fields[]=id')).response.data);
    assert.deepEqual(((await network('Target=Affiliate&Method=findAllIds')).response.data as string[]).toSorted(), affiliates.toSorted());
    assert.ok(((await network('Target=Advertiser&Method=findAllIds')).response.data as string[]).length >= 2);

    await network(`Target=Offer&Method=setAffiliateApproval&id=${bestsellers}&affiliate_id=${trailblazer}&status=approved`);
    await network(`Target=Offer&Method=setAffiliateApproval&id=${bestsellers}&affiliate_id=${couponCrate}&status=blocked`);
    assert.deepEqual((await network(`Target=Offer&Method=getApprovedAffiliateIds&id=${bestsellers}`)).response.data, [String(trailblazer)]);
    assert.deepEqual((await network(`Target=Offer&Method=getBlockedAffiliateIds&id=${bestsellers}`)).response.data, [String(couponCrate)]);
    assert.ok(!((await network(`Target=Offer&Method=getUnapprovedAffiliateIds&id=${bestsellers}`)).response.data as string[]).includes(String(trailblazer)));
    assert.equal((await network('Target=Offer&Method=getApprovedAffiliateIds&id=999999')).response.status, -1);
    const approvals = (await network(`Target=Offer&Method=findAllAffiliateApprovals&filters[offer_id]=${bestsellers}&filters[affiliate_id]=${couponCrate}`)).response.data;
    const [approval] = Object.values(approvals) as Array<{ AffiliateOffer: Record<string, string>; Affiliate: { id: string }; Offer: { id: string } }>;
    assert.deepEqual([approval!.AffiliateOffer.approval_status, approval!.Affiliate.id, approval!.Offer.id], ['blocked', String(couponCrate), String(bestsellers)]);
    assert.equal(Object.keys(approvals)[0], approval!.AffiliateOffer.id);

    const tier = await server.request('POST', '/api/v1/partner-tiers', { key: server.keys.admin, body: { name: 'Sync tier' } });
    const tiers = (await network('Target=Application&Method=findAllAffiliateTiers')).response.data;
    assert.equal(tiers[tier.body.id].AffiliateTier.name, 'Sync tier');

    const created = await network(`Target=Conversion&Method=create&data[offer_id]=${newsletter}&data[affiliate_id]=${trailblazer}&data[advertiser_info]=sync-1&data[conversion_unique_id]=unique-1&data[sale_amount]=5`);
    const made = created.response.data.Conversion;
    assert.equal(made.conversion_unique_id, 'unique-1');
    const again = await network(`Target=Conversion&Method=create&data[offer_id]=${newsletter}&data[affiliate_id]=${trailblazer}&data[advertiser_info]=sync-2&data[conversion_unique_id]=unique-1`);
    assert.equal(again.response.status, -1, 'a second conversion with the unique id is refused');
    assert.match(again.response.errorMessage, new RegExp(`already converted \\(conversion ${made.id}\\)`));
    const day = made.datetime.slice(0, 10);
    const added = (await network(`Target=Conversion&Method=findAddedConversions&start_date=${day}&filters[advertiser_info]=sync-1`)).response.data;
    assert.deepEqual(Object.keys(added), [made.id]);
    assert.deepEqual((await network(`Target=Conversion&Method=findAddedConversions&start_date=${day}&end_date=${day} 00:00:00&filters[advertiser_info]=sync-1`)).response.data, [], 'a window that ended before it was made');
    assert.equal((await network(`Target=Conversion&Method=updateStatus&id=${made.id}&status=rejected`)).response.data, true);
    const updated = (await network(`Target=Conversion&Method=findUpdatedConversions&start_date=${made.datetime}&fields[]=status`)).response.data;
    assert.equal(updated[made.id].Conversion.status, 'rejected');
    assert.equal((await network('Target=Conversion&Method=findUpdatedConversions')).response.status, -1, 'start_date is required');
    assert.equal((await network('Target=Conversion&Method=findAddedConversions&start_date=yesterday')).response.status, -1);
  });
  test('an affiliate reads an offer\'s thumbnails, countries, categories and its own pixels, and its account\'s people', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const creative = await server.request('POST', `/api/v1/offers/${newsletter}/creatives`, {
      key: server.keys.admin,
      body: { name: 'Newsletter banner', kind: 'image', contentType: 'image/png', content: png, width: 1, height: 1 },
    });
    assert.equal(creative.status, 201, creative.text);
    const thumbnails = (await asAffiliate(server.keys.trailblazer, `Target=Affiliate_Offer&Method=getThumbnail&ids[]=${newsletter}&ids[]=${springGear}&ids[]=999999`)).response.data;
    assert.deepEqual(thumbnails.map((entry: { offer_id: string }) => entry.offer_id), [String(springGear), String(newsletter)].toSorted((a, b) => Number(a) - Number(b)));
    const banner = thumbnails.find((entry: { offer_id: string }) => entry.offer_id === String(newsletter)).Thumbnail[String(creative.body.id)];
    assert.deepEqual([banner.display, banner.width, banner.type], ['Newsletter banner', '1', 'image banner']);
    assert.equal((await server.request('GET', new URL(banner.url).pathname)).status, 200, 'the thumbnail is served');
    assert.deepEqual(thumbnails.find((entry: { offer_id: string }) => entry.offer_id === String(springGear)).Thumbnail, []);
    const countries = (await asAffiliate(server.keys.trailblazer, `Target=Affiliate_Offer&Method=getTargetCountries&ids[]=${newsletter}`)).response.data;
    assert.deepEqual(countries.map((entry: { offer_id: string }) => entry.offer_id), [String(newsletter)]);
    assert.ok('countries' in countries[0]);
    assert.equal((await asAffiliate(server.keys.trailblazer, 'Target=Affiliate_Offer&Method=getCategories')).response.status, -1, 'ids[] is required');

    assert.deepEqual((await asAffiliate(server.keys.trailblazer, `Target=Affiliate_OfferPixel&Method=getAllowedTypes&offer_id=${newsletter}`)).response.data, ['image', 'url']);
    await asAffiliate(server.keys.trailblazer, `Target=Affiliate_OfferPixel&Method=create&data[offer_id]=${newsletter}&data[type]=url&data[code]=${encodeURIComponent('https://trailblazer.example/pb?t={transaction_id}')}`);
    const pixels = (await asAffiliate(server.keys.trailblazer, `Target=Affiliate_Offer&Method=getPixels&id=${newsletter}`)).response.data;
    assert.deepEqual(pixels.map((entry: { OfferPixel: { offer_id: string; type: string } }) => [entry.OfferPixel.offer_id, entry.OfferPixel.type]), [[String(newsletter), 'url']]);
    assert.deepEqual((await asAffiliate(server.keys.couponCrate, `Target=Affiliate_Offer&Method=getPixels&id=${newsletter}`)).response.data, [], 'another affiliate sees none of them');

    const people = Object.values((await asAffiliate(server.keys.trailblazer, 'Target=Affiliate_AffiliateUser&Method=findAll')).response.data) as Array<{ AffiliateUser: { affiliate_id: string; email: string } }>;
    assert.ok(people.length > 0);
    assert.ok(people.every((person) => person.AffiliateUser.affiliate_id === String(trailblazer)));
  });
});
