import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { OPERATOR } from '../../src/accounts/principal.ts';
import { createOffer } from '../../src/offers/offers.ts';
import { setApproval } from '../../src/partners/approvals.ts';
import { browserMissing, launchBrowser, screenshot, seriousViolations, type BrowserSession } from '../support/browser.ts';
import { linkToken, startMailbox, type Mailbox } from '../support/mailbox.ts';
import { startReceiver } from '../support/postback-receiver.ts';
import { demoPasswordOf } from '../support/sessions.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

/**
 * People using the portal in headless Chromium, against a real server and store over HTTP: what
 * they see on the page is what is asserted. Set REQUIRE_BROWSER=1 (CI does) to fail rather than
 * skip where Chromium is missing.
 */
const missing = browserMissing();
if (missing && process.env.REQUIRE_BROWSER === '1') {
  test('the browser tests can run', () => assert.fail(`the browser tests cannot run: ${missing}`));
}

const NEW_PARTNER = { company: 'Fern & Trail Media', name: 'Fern Walker', email: 'fern@fern-trail.example', password: 'fern trail password 1' };
const ADVERTISER = 'ops@brightside-books.example';

describe('the portal, in a real browser', { skip: missing ? `browser tests skipped: ${missing}` : false }, () => {
  let server: TestServer;
  let mailbox: Mailbox;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let browser: BrowserSession;
  let offerId: number;
  let transactionId = '';
  let partnerId = 0;
  const problems: string[] = [];

  before(async () => {
    mailbox = await startMailbox();
    receiver = await startReceiver();
    server = await startTestServer({ SMTP_URL: mailbox.smtpUrl, POSTBACK_ALLOW_PRIVATE: 'true' }, { delivery: { baseDelayMs: 50, maxDelayMs: 200, pollMs: 50 } });
    offerId = (
      await createOffer(server.store, OPERATOR, {
        advertiserId: server.demo.advertiserIds[1]!,
        name: 'Brightside Books - Autumn Reads',
        visibility: 'approval',
        destinationUrl: `${receiver.base}/landing?tid={transaction_id}&sub={aff_sub}`,
        payoutType: 'cpa_flat',
        payoutFlatMicros: 5_000_000n,
        revenueType: 'cpa_flat',
        revenueFlatMicros: 8_000_000n,
      })
    ).id;
    await server.platform.tracker.reloadIfChanged();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await receiver?.close();
    await mailbox?.close();
  });

  const open = async (page: Page, path: string) => {
    await page.goto(`${server.url}${path}`);
    await page.locator('h1, [role="alert"]').first().waitFor();
  };
  const signIn = async (page: Page, email: string, password: string, code?: string) => {
    await open(page, '/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    if (code) {
      await page.getByLabel('Two-factor code').fill(code);
      await page.getByRole('button', { name: 'Sign in' }).click();
    }
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  };
  const person = async (email?: string, password?: string) => {
    const { page } = await browser.person();
    if (email) await signIn(page, email, password ?? demoPasswordOf(server, email));
    return page;
  };
  const notice = (page: Page) => page.locator('.notice').last();

  test('1. a partner signs up, is approved, applies, is approved, links, converts, and sees its earnings and its postback delivered', async () => {
    const applicant = await person();
    await open(applicant, '/sign-up');
    await applicant.getByLabel('Company').fill(NEW_PARTNER.company);
    await applicant.getByLabel('Your name').fill(NEW_PARTNER.name);
    await applicant.getByLabel('Email').fill(NEW_PARTNER.email);
    await applicant.getByLabel('Password').fill(NEW_PARTNER.password);
    await applicant.getByLabel('Traffic sources').fill('Hiking blog and a weekly newsletter');
    await applicant.getByLabel('How you promote').fill('Reviews and reading lists');
    await applicant.getByRole('button', { name: 'Send application' }).click();
    await applicant.getByRole('heading', { name: 'Thank you for applying' }).waitFor();
    await mailbox.waitFor(NEW_PARTNER.email, /Confirm your email/);

    const network = await person('admin@partnerline.example');
    await open(network, '/partners?tab=applications');
    await network.getByRole('row', { name: new RegExp(NEW_PARTNER.company) }).getByRole('button', { name: /^Approve/ }).click();
    assert.match(await notice(network).textContent() ?? '', /Approved/);
    await mailbox.waitFor(NEW_PARTNER.email, /Welcome/);

    await signIn(applicant, NEW_PARTNER.email, NEW_PARTNER.password);
    await open(applicant, `/marketplace/${offerId}`);
    assert.match(await applicant.getByTestId('standing').textContent() ?? '', /Apply/);
    await applicant.getByLabel('A note for the advertiser').fill('We review books every week');
    await applicant.getByRole('button', { name: 'Apply to promote this offer' }).click();
    await applicant.getByText('Your application is waiting for the advertiser.').waitFor();

    const advertiser = await person(ADVERTISER);
    await open(advertiser, '/applications');
    await advertiser.getByRole('row', { name: new RegExp(NEW_PARTNER.company) }).getByRole('button', { name: /^Approve/ }).click();
    assert.match(await notice(advertiser).textContent() ?? '', /approved/);

    await open(applicant, '/postbacks');
    await applicant.getByLabel('Postback URL').fill(`${receiver.base}/pb?sub={aff_sub}&payout={payout}&status={conversion_status}`);
    await applicant.getByRole('button', { name: 'Add postback' }).click();
    await applicant.getByRole('cell', { name: /\/pb\?sub=/ }).waitFor();

    await open(applicant, `/marketplace/${offerId}`);
    assert.match(await applicant.getByTestId('standing').textContent() ?? '', /Approved/);
    await applicant.getByLabel('Sub-ID 1').fill('autumn-list');
    await applicant.getByRole('button', { name: 'Build link' }).click();
    const link = await applicant.getByLabel('Tracking link', { exact: true }).inputValue();
    assert.match(link, /aff_sub=autumn-list/);
    partnerId = Number(new URL(link).searchParams.get('aff_id'));
    await applicant.goto(link);
    await applicant.waitForURL(/\/landing\?tid=/);
    transactionId = new URL(applicant.url()).searchParams.get('tid')!;
    assert.equal(new URL(applicant.url()).searchParams.get('sub'), 'autumn-list');

    await open(advertiser, `/offers/${offerId}`);
    await advertiser.getByLabel('Transaction id').fill(transactionId);
    await advertiser.getByLabel('Sale amount').fill('40');
    await advertiser.getByRole('button', { name: 'Record test conversion' }).click();
    await advertiser.getByText(/Test conversion recorded/).waitFor();

    await open(applicant, '/');
    const today = applicant.getByTestId('period-today');
    assert.equal(await today.locator('[data-metric="clicks"]').textContent(), '1');
    assert.equal(await today.locator('[data-metric="conversions"]').textContent(), '1');
    assert.equal(await today.locator('[data-metric="payout"]').textContent(), '$5.00');
    await open(applicant, '/reports?preset=today&dimensions=sub1&metrics=clicks,conversions,payout');
    await applicant.getByRole('cell', { name: 'autumn-list' }).waitFor();
    assert.equal(await applicant.locator('[data-total="payout"]').textContent(), '$5.00');

    await open(applicant, '/postbacks');
    await applicant.getByRole('button', { name: /^Deliveries/ }).click();
    await applicant.getByRole('cell', { name: 'delivered' }).waitFor({ timeout: 15_000 }).catch(async () => {
      await open(applicant, '/postbacks');
      await applicant.getByRole('button', { name: /^Deliveries/ }).click();
      await applicant.getByRole('cell', { name: 'delivered' }).waitFor();
    });
    assert.ok(receiver.received.some((call) => call.url.searchParams.get('sub') === 'autumn-list' && call.url.searchParams.get('payout') === '5.00'));
  });

  test('2. the advertiser rejects the conversion with a reason; the partner sees it, and its report changes', async () => {
    const advertiser = await person(ADVERTISER);
    await open(advertiser, `/conversions?preset=today&offerId=${offerId}`);
    await advertiser.getByLabel('Reason').first().fill('Order was cancelled');
    await advertiser.getByRole('checkbox', { name: /Select conversion/ }).first().check();
    await advertiser.getByRole('button', { name: /Reject selected/ }).click();
    await advertiser.getByText(/reject done/).waitFor();

    const partner = await person(NEW_PARTNER.email, NEW_PARTNER.password);
    await open(partner, '/conversions?preset=today');
    const row = partner.getByRole('row', { name: /Order was cancelled/ });
    await row.waitFor();
    assert.match(await row.textContent() ?? '', /rejected/);
    await open(partner, '/reports?preset=today&dimensions=sub1&metrics=clicks,conversions,payout');
    await partner.locator('[data-total="payout"]').waitFor();
    assert.equal(await partner.locator('[data-total="payout"]').textContent(), '$0.00');
  });

  test('3. the network uploads a late CSV that re-attributes the order to another partner: a preview first, then both reports change', async () => {
    const trailblazer = server.demo.partnerIds[0]!;
    await setApproval(server.store, offerId, trailblazer, 'approved');
    await server.platform.tracker.reloadIfChanged();
    const click = await server.request('GET', `/aff_c?offer_id=${offerId}&aff_id=${trailblazer}`, { headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36' } });
    const otherClick = new URL(click.headers.get('location')!).searchParams.get('tid')!;
    const network = await person('admin@partnerline.example');
    await open(network, '/conversions');
    await network.getByLabel('Or paste the CSV').fill(`transaction_id,reattribute_to,status\n${transactionId},${otherClick},approved\n`);
    await network.getByRole('button', { name: 'Preview' }).click();
    const preview = network.locator('table.batch-results');
    await preview.waitFor();
    assert.match(await preview.textContent() ?? '', new RegExp(`re-attributed: partner ${partnerId} → ${trailblazer}`));
    assert.match(await preview.textContent() ?? '', /1 would change/);
    await network.getByRole('button', { name: 'Apply' }).click();
    await network.getByText(/Applied: 1 rows, 1 changed/).waitFor();

    const partner = await person(NEW_PARTNER.email, NEW_PARTNER.password);
    await open(partner, '/reports?preset=today&dimensions=offer_name&metrics=conversions,payout');
    assert.equal(await partner.locator('[data-total="conversions"]').textContent(), '0');
    const other = await person('hello@trailblazer-reviews.example');
    await open(other, '/reports?preset=today&dimensions=offer_name&metrics=conversions,payout');
    await other.getByRole('cell', { name: 'Brightside Books - Autumn Reads' }).waitFor();
    assert.equal(await other.locator('[data-total="conversions"]').textContent(), '1');
    assert.equal(await other.locator('[data-total="payout"]').textContent(), '$5.00');
  });

  test('4. a partner asks for API access, then makes, refreshes and revokes a key; an old key stops at once', async () => {
    const partner = await person(NEW_PARTNER.email, NEW_PARTNER.password);
    await open(partner, '/account');
    await partner.getByLabel('What will you use the API for?').fill('Send my daily figures to our spreadsheet');
    await partner.getByRole('button', { name: 'Ask for API access' }).click();
    await partner.getByText('Your request is sent to the network.').waitFor();
    const network = await person('admin@partnerline.example');
    await open(network, '/access-requests');
    await network.getByRole('row', { name: new RegExp(NEW_PARTNER.email) }).getByRole('button', { name: /^Grant/ }).click();
    await network.getByText('API access granted.').waitFor();

    await open(partner, '/account');
    await partner.getByLabel('Key name').fill('spreadsheet');
    await partner.getByRole('button', { name: 'Make a key' }).click();
    const first = await partner.getByTestId('new-key').inputValue();
    const works = async (key: string) => (await server.request('GET', '/api/v1/marketplace', { key })).status;
    assert.equal(await works(first), 200);
    await partner.getByRole('button', { name: 'Refresh key spreadsheet' }).click();
    await partner.getByText(/old one has stopped working/).waitFor();
    // The notice may come a moment before the new key is shown.
    await partner.waitForFunction(`document.querySelector('[data-testid="new-key"]').value !== ${JSON.stringify(first)}`);
    const second = await partner.getByTestId('new-key').inputValue();
    assert.notEqual(second, first);
    assert.equal(await works(first), 401);
    assert.equal(await works(second), 200);
    await partner.getByRole('button', { name: 'Revoke key spreadsheet' }).first().click();
    await partner.getByText(/stopped working at once/).waitFor();
    assert.equal(await works(second), 401);
  });

  test('5. a wrong password, two-factor sign-in, signing out everywhere, and a password reset read from the mailbox', async () => {
    const email = 'deals@couponcrate.example';
    const password = demoPasswordOf(server, email);
    const page = await person();
    await open(page, '/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not my password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The email or the password is wrong').waitFor();

    await signIn(page, email, password);
    await open(page, '/account');
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())!;
    await page.getByLabel('Code from the app').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByTestId('recovery-codes').waitFor();

    const elsewhere = await person();
    await signIn(elsewhere, email, password, await generate({ secret }));
    await open(page, '/account');
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await elsewhere.goto(`${server.url}/reports`);
    await elsewhere.getByRole('heading', { name: 'Sign in' }).waitFor();

    await open(page, '/forgot-password');
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByText(/a link to reset its password is on its way/).waitFor();
    const mail = await mailbox.waitFor(email, /Reset your/);
    await open(page, `/reset-password?token=${linkToken(mail)}`);
    await page.getByLabel('New password').fill('a fresh coupon password');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('Your password is set: sign in with it').waitFor();
    await signIn(page, email, 'a fresh coupon password', await generate({ secret }));
  });

  test('6. a partner and an advertiser who edit ids in the URL see nothing of another account\'s', async () => {
    const [acmeSpring] = server.demo.offerIds as [number];
    const bookClub = server.demo.offerIds[3]!;
    const partner = await person('team@socialspark.example');
    for (const path of [`/marketplace/${bookClub}`, `/offers/${acmeSpring}`, `/partners/${server.demo.partnerIds[0]}`, `/conversions?offerId=${offerId}`]) {
      await open(partner, path);
      await partner.waitForLoadState('networkidle');
      const text = (await partner.locator('main').textContent()) ?? '';
      assert.doesNotMatch(text, /Book Club|Spring Gear|Trailblazer|Autumn Reads/, `${path} shows another account's things`);
    }
    await partner.goto(`${server.url}/marketplace/${bookClub}`);
    await partner.getByRole('alert').waitFor();
    const advertiser = await person('ops@acme-outdoor.example');
    for (const path of [`/offers/${offerId}`, `/conversions?offerId=${offerId}`, '/partners', `/partners/${partnerId}`]) {
      await open(advertiser, path);
      await advertiser.waitForLoadState('networkidle');
      const text = (await advertiser.locator('main').textContent()) ?? '';
      assert.doesNotMatch(text, /Autumn Reads|Fern|Book Club/, `${path} shows another account's things`);
    }
  });

  test('7. on a large network the partner list loads a hundred rows at a time, and more on request', async () => {
    await server.store.query(`INSERT INTO partners (name, status) SELECT 'Bulk partner ' || g, 'active' FROM generate_series(1, 130) g`);
    const network = await person('admin@partnerline.example');
    await open(network, '/partners');
    const pager = network.getByRole('navigation', { name: 'Partners pages' });
    await pager.getByText('100 rows loaded').waitFor();
    await pager.getByRole('button', { name: 'Load more rows' }).click();
    await pager.getByText(/^Page 1 of \d+ · 1[3-9]\d rows$/).waitFor();
    assert.equal(await pager.getByRole('button', { name: 'Load more rows' }).count(), 0, 'nothing more to load');
  });

  test('8. the network connects a HasOffers network, links by name, and reconciles it', async () => {
    // The server itself stands in for the HasOffers network: it answers the same API.
    const token = (await server.request('POST', '/api/v1/keys', { key: server.keys.admin, body: { name: 'Portal bridge' } })).body.key as string;
    const network = await person('admin@partnerline.example');
    await open(network, '/hasoffers');
    const form = network.getByRole('form', { name: 'Connect a HasOffers network' });
    await form.getByLabel('Name').fill('Legacy TUNE');
    await form.getByLabel('API address').fill(server.url);
    await form.getByLabel('Network id').fill('partnerline');
    await form.getByLabel('Network API key').fill(token);
    await form.getByLabel('Its time zone').fill('America/New_York');
    await form.getByRole('button', { name: 'Connect' }).click();
    assert.match((await notice(network).textContent()) ?? '', /Legacy TUNE is connected/);
    assert.equal(await network.getByText(token).count(), 0, 'the key is not shown');
    await network.getByRole('row', { name: /Legacy TUNE/ }).getByRole('button', { name: /Link by name/ }).click();
    await network.getByText(/Linked by name: \d+ offer\(s\)/).waitFor();
    await network.getByRole('form', { name: 'Reconcile with Legacy TUNE' }).getByRole('button', { name: 'Reconcile' }).click();
    await network.getByRole('table', { name: /^Reconciliation \d+ by class$/ }).waitFor();
    assert.ok(await network.getByRole('rowheader', { name: 'missing outside' }).isVisible());
    assert.match((await notice(network).textContent()) ?? '', /conversion\(s\) and \d+ daily total\(s\) do not match/);
    await network.getByText("Every day's totals match.").waitFor();
    assert.match((await network.getByLabel('Sync state of Legacy TUNE').textContent()) ?? '', /Waiting to go out\d+Parked\d+/);
  });

  test('9. the network imports a HasOffers network, watches it run, and reads that everything came over', async () => {
    // Another Partnerline stands in for the network being left: it answers the same API.
    const source = await startTestServer();
    try {
      const token = (await source.request('POST', '/api/v1/keys', { key: source.keys.admin, body: { name: 'Moving out' } })).body.key as string;
      const network = await person('admin@partnerline.example');
      await open(network, '/hasoffers');
      const form = network.getByRole('form', { name: 'Start an import' });
      await form.getByLabel('Its API address').fill(source.url);
      await form.getByLabel('Its network id').fill('partnerline');
      await form.getByLabel('Its network API key').fill(token);
      await form.getByRole('button', { name: 'Import' }).click();
      assert.match((await notice(network).textContent()) ?? '', /Import \d+ is running/);
      const done = network.getByText(/^Import \d+ brought everything over\.$/);
      await done.waitFor({ timeout: 30_000 });
      const row = network.getByRole('table', { name: 'Imports' }).getByRole('row').nth(1);
      assert.match((await row.textContent()) ?? '', /partnerline at http:\/\/127\.0\.0\.1:\d+nonefinished/);
      assert.equal(await network.getByText(token).count(), 0, 'the key is not shown');

      // While partners move, the network it left is kept in step: connected, and linked by what was imported.
      const connect = network.getByRole('form', { name: 'Connect a HasOffers network' });
      await connect.getByLabel('Name').fill('The network we left');
      await connect.getByLabel('API address').fill(source.url);
      await connect.getByLabel('Network id').fill('partnerline');
      await connect.getByLabel('Network API key').fill(token);
      await connect.getByRole('button', { name: 'Connect' }).click();
      await network.getByRole('button', { name: 'Link what was imported from The network we left' }).click();
      assert.match((await network.getByText(/^Linked what was imported from it/).textContent()) ?? '', /: [1-9]\d* offer\(s\) and [1-9]\d* partner\(s\)\.$/);
    } finally {
      // The network it left goes away with this test; so does its connection.
      const connected = (await server.request('GET', '/api/v1/hasoffers-networks', { key: server.keys.admin })).body as Array<{ id: number; name: string }>;
      const left = connected.find((row) => row.name === 'The network we left');
      if (left) await server.request('DELETE', `/api/v1/hasoffers-networks/${left.id}`, { key: server.keys.admin });
      await source.close();
    }
  });

  test('every page of every role: drawn, no serious accessibility problem, at desktop and phone width, with a screenshot', async (t) => {
    const roles = [
      ['network', 'admin@partnerline.example'],
      ['advertiser', 'ops@acme-outdoor.example'],
      ['agency', 'team@northwind.example'],
      ['partner', 'hello@trailblazer-reviews.example'],
    ] as const;
    for (const [role, email] of roles) {
      // Every page at desktop width; at phone width, the network's and a partner's.
      for (const viewport of role === 'network' || role === 'partner' ? [{ width: 1280, height: 900 }, { width: 390, height: 844 }] : [{ width: 1280, height: 900 }]) {
        const { page } = await browser.person(viewport);
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(String(error)));
        await signIn(page, email, demoPasswordOf(server, email));
        const menu = page.getByRole('button', { name: 'Menu' });
        if (await menu.isVisible()) await menu.click();
        const paths = (await page.getByRole('navigation', { name: 'Main' }).getByRole('link').evaluateAll((links) => links.map((link) => link.getAttribute('href')))) as string[];
        assert.ok(paths.length >= 8, `${role} has a menu`);
        const extra = role === 'partner' ? [`/marketplace/${server.demo.offerIds[0]}`] : role === 'network' ? [`/offers/${offerId}`, `/partners/${server.demo.partnerIds[0]}`] : [];
        for (const path of [...paths, ...extra]) {
          const started = performance.now();
          await open(page, path);
          await page.getByText(/^Loading /).first().waitFor({ state: 'detached', timeout: 5_000 }).catch(() => undefined);
          const where = `${role} ${path} at ${viewport.width}px`;
          const failed = page.locator('.state.error');
          if ((await failed.count()) > 0) problems.push(`${where}: ${await failed.first().textContent()}`);
          for (const violation of await seriousViolations(page)) problems.push(`${where}: ${violation}`);
          if (viewport.width < 500) {
            const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
            if (overflow > 2) problems.push(`${where}: the page is ${overflow}px wider than the phone`);
          }
          await screenshot(page, role, `${path.replaceAll('/', '_') || '_'}-${viewport.width}`);
          const took = performance.now() - started;
          if (took > 3000) t.diagnostic(`${where} took ${Math.round(took)} ms`);
        }
        assert.deepEqual(errors, [], `${role}: no script error`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('a person can sign in and reach the content by keyboard alone', async () => {
    const { page } = await browser.person();
    await open(page, '/sign-in');
    await page.keyboard.press('Tab');
    await page.keyboard.type('hello@trailblazer-reviews.example');
    await page.keyboard.press('Tab');
    await page.keyboard.type(demoPasswordOf(server, 'hello@trailblazer-reviews.example'));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate<string>('document.activeElement.textContent'), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate<string>('document.activeElement.id'), 'main');
  });
});
