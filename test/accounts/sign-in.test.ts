import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generate } from 'otplib';
import { startMailbox, linkToken, type Mailbox } from '../support/mailbox.ts';
import { cookieOf, demoPasswordOf, sessionWith, signIn } from '../support/sessions.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const ADMIN = 'admin@partnerline.example';
const ACME = 'ops@acme-outdoor.example';
const TRAILBLAZER = 'hello@trailblazer-reviews.example';

describe('people sign in to the portal with a password, and their sessions are theirs alone', () => {
  let server: TestServer;
  let mailbox: Mailbox;

  before(async () => {
    mailbox = await startMailbox();
    server = await startTestServer({ SMTP_URL: mailbox.smtpUrl, TRUST_PROXY: 'true', PUBLIC_URL: 'https://partners.example.com' });
  });
  after(async () => {
    await server.close();
    await mailbox.close();
  });

  test('a demo user signs in: an HttpOnly, SameSite=Lax session cookie, a new session each time, and no password in any answer', async () => {
    const password = demoPasswordOf(server, ADMIN);
    const reply = await server.request('POST', '/api/v1/session', { body: { email: 'Admin@Partnerline.example', password } });
    assert.equal(reply.status, 200, reply.text);
    const setCookie = reply.headers.get('set-cookie')!;
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    assert.doesNotMatch(setCookie, /Secure/, 'plain HTTP gets no Secure cookie');
    assert.equal(reply.body.user.email, ADMIN);
    assert.doesNotMatch(reply.text, /scrypt|password_?hash/i);
    const again = await signIn(server, ADMIN, password);
    assert.notEqual(again.cookie, cookieOf(reply), 'every sign-in starts a new session');
    const me = await again.request('GET', '/session');
    assert.equal(me.body.user.role, 'network_admin');
    const users = await again.request('GET', '/users');
    assert.doesNotMatch(users.text, /scrypt/);
  });

  test('behind a TLS proxy the cookie is Secure', async () => {
    const reply = await server.request('POST', '/api/v1/session', {
      body: { email: ADMIN, password: demoPasswordOf(server, ADMIN) },
      headers: { 'x-forwarded-proto': 'https' },
    });
    assert.match(reply.headers.get('set-cookie')!, /Secure/);
  });

  test('a change made with the cookie must carry the CSRF token; an API key needs none', async () => {
    const session = await signIn(server, ACME, demoPasswordOf(server, ACME));
    const body = { name: 'cookie key' };
    const forged = await session.request('POST', '/keys', body, { csrf: false });
    assert.equal(forged.status, 403);
    assert.match(forged.body.error, /CSRF/);
    const wrong = await server.request('POST', '/api/v1/keys', { body, headers: { cookie: session.cookie, 'x-csrf-token': 'guess' } });
    assert.equal(wrong.status, 403);
    assert.equal((await session.request('POST', '/keys', body)).status, 201);
    assert.equal((await server.request('POST', '/api/v1/keys', { key: server.keys.acme, body })).status, 201);
  });

  test('a wrong password and an unknown email get the same answer, and both are in the audit log', async () => {
    const wrong = await server.request('POST', '/api/v1/session', { body: { email: TRAILBLAZER, password: 'not the password' } });
    const unknown = await server.request('POST', '/api/v1/session', { body: { email: 'nobody@nowhere.example', password: 'not the password' } });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
    const admin = await signIn(server, ADMIN, demoPasswordOf(server, ADMIN));
    const log = (await admin.request('GET', '/audit-log?entity=session&limit=20')).body.entries as Array<{ action: string; actorUserId: number | null }>;
    assert.ok(log.some((entry) => entry.action === 'sign_in_failed' && entry.actorUserId !== null));
    assert.ok(log.some((entry) => entry.action === 'sign_in_failed' && entry.actorUserId === null));
  });

  test('sign-in attempts are limited per account, whatever the email\'s case', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const email = attempt % 2 === 0 ? 'team@socialspark.example' : 'TEAM@socialspark.example';
      statuses.push((await server.request('POST', '/api/v1/session', { body: { email, password: `wrong ${attempt}` } })).status);
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.equal(statuses[11], 429);
    const right = await server.request('POST', '/api/v1/session', { body: { email: 'team@socialspark.example', password: demoPasswordOf(server, 'team@socialspark.example') } });
    assert.equal(right.status, 429, 'even the right password waits until the window passes');
  });

  test('signing out ends the session; signing out everywhere ends them all', async () => {
    const password = demoPasswordOf(server, 'ops@brightside-books.example');
    const first = await signIn(server, 'ops@brightside-books.example', password);
    const second = await signIn(server, 'ops@brightside-books.example', password);
    assert.equal((await first.request('DELETE', '/session')).status, 200);
    assert.equal((await first.request('GET', '/session')).status, 401);
    assert.equal((await second.request('GET', '/session')).status, 200);
    const third = await signIn(server, 'ops@brightside-books.example', password);
    assert.equal((await third.request('POST', '/session/sign-out-everywhere')).status, 200);
    assert.equal((await second.request('GET', '/session')).status, 401);
    assert.equal((await third.request('GET', '/session')).status, 401);
  });

  test('a password reset goes by email; its link works once, ends every session, and the old password stops working', async () => {
    const email = 'deals@couponcrate.example';
    const oldPassword = demoPasswordOf(server, email);
    const session = await signIn(server, email, oldPassword);
    const unknown = await server.request('POST', '/api/v1/password-reset', { body: { email: 'nobody@nowhere.example' } });
    const known = await server.request('POST', '/api/v1/password-reset', { body: { email } });
    assert.equal(known.status, 202);
    assert.deepEqual(known.body, unknown.body, 'the answer does not tell whether the email is known');
    const mail = await mailbox.waitFor(email, /Reset your/);
    assert.match(mail.text, /https:\/\/partners\.example\.com\/reset-password\?token=/);
    const token = linkToken(mail);
    const complete = await server.request('POST', '/api/v1/password-reset/complete', { body: { token, password: 'a brand new password' } });
    assert.equal(complete.status, 200, complete.text);
    assert.equal((await session.request('GET', '/session')).status, 401);
    assert.equal((await server.request('POST', '/api/v1/session', { body: { email, password: oldPassword } })).status, 401);
    await signIn(server, email, 'a brand new password');
    const reused = await server.request('POST', '/api/v1/password-reset/complete', { body: { token, password: 'yet another password' } });
    assert.equal(reused.status, 400);
    assert.match(reused.body.error, /already used|expired/);
  });

  test('two-factor sign-in: a code from the app, a wrong code refused, a recovery code good once', async () => {
    const email = TRAILBLAZER;
    const password = demoPasswordOf(server, email);
    const session = await signIn(server, email, password);
    const enrol = await session.request('POST', '/me/two-factor');
    assert.equal(enrol.status, 200, enrol.text);
    assert.match(enrol.body.uri, /^otpauth:\/\/totp\//);
    const confirm = await session.request('POST', '/me/two-factor/confirm', { code: await generate({ secret: enrol.body.secret }) });
    assert.equal(confirm.status, 200, confirm.text);
    const recoveryCodes = confirm.body.recoveryCodes as string[];
    assert.equal(recoveryCodes.length, 10);

    const withoutCode = await server.request('POST', '/api/v1/session', { body: { email, password } });
    assert.equal(withoutCode.status, 401);
    assert.equal(withoutCode.body.problem, 'code_needed');
    const wrongCode = await server.request('POST', '/api/v1/session', { body: { email, password, code: '000000' } });
    assert.equal(wrongCode.body.problem, 'wrong_code');
    await signIn(server, email, password, await generate({ secret: enrol.body.secret }));
    await signIn(server, email, password, recoveryCodes[0]);
    const again = await server.request('POST', '/api/v1/session', { body: { email, password, code: recoveryCodes[0] } });
    assert.equal(again.body.problem, 'wrong_code', 'a recovery code works once');

    const off = await signIn(server, email, password, recoveryCodes[1]);
    assert.equal((await off.request('DELETE', '/me/two-factor', { password })).status, 200);
    await signIn(server, email, password);
  });

  test('a would-be partner applies, confirms its email, waits, is approved, signs in, and asks for API access before making keys', async () => {
    const email = 'founder@new-partner.example';
    const password = 'correct horse battery';
    const apply = await server.request('POST', '/api/v1/partner-applications', {
      body: { company: 'New Partner Ltd', name: 'Nia Founder', email, password, website: 'https://new-partner.example', trafficSources: 'Blog, newsletter', promotion: 'Reviews of outdoor gear' },
    });
    assert.equal(apply.status, 201, apply.text);
    assert.equal(apply.body.status, 'pending');
    const confirmation = await mailbox.waitFor(email, /Confirm your email/);
    assert.equal((await server.request('POST', '/api/v1/email-confirmation', { body: { token: linkToken(confirmation) } })).status, 200);

    const waiting = await server.request('POST', '/api/v1/session', { body: { email, password } });
    assert.equal(waiting.status, 401);
    assert.equal(waiting.body.problem, 'application_pending');

    const admin = await signIn(server, ADMIN, demoPasswordOf(server, ADMIN));
    const pending = (await admin.request('GET', '/partner-applications?status=pending')).body as Array<{ partnerId: number; email: string; emailConfirmed: boolean }>;
    const mine = pending.find((application) => application.email === email)!;
    assert.equal(mine.emailConfirmed, true);
    const approved = await admin.request('POST', `/partner-applications/${mine.partnerId}/approve`, {});
    assert.equal(approved.status, 200, approved.text);
    await mailbox.waitFor(email, /Welcome to/);

    const partner = await signIn(server, email, password);
    const notifications = (await partner.request('GET', '/notifications')).body as Array<{ kind: string }>;
    assert.ok(notifications.some((notification) => notification.kind === 'application_approved'));
    const refused = await partner.request('POST', '/keys', { name: 'mine' });
    assert.equal(refused.status, 403);
    assert.match(refused.body.error, /API access/);
    const asked = await partner.request('POST', '/api-access-requests', { useCase: 'Pull my daily stats into our BI tool' });
    assert.equal(asked.status, 201, asked.text);
    assert.equal((await admin.request('POST', `/api-access-requests/${asked.body.id}/approve`, {})).status, 200);
    const key = await partner.request('POST', '/keys', { name: 'mine' });
    assert.equal(key.status, 201);
    assert.match(key.body.key, /^pl_/);
    assert.equal((await server.request('GET', '/api/v1/marketplace', { key: key.body.key })).status, 200);
  });

  test('a rejected applicant is told why, by email and at sign-in', async () => {
    const email = 'spammy@applicant.example';
    const password = 'another long password';
    const apply = await server.request('POST', '/api/v1/partner-applications', {
      body: { company: 'Spammy', name: 'S', email, password, trafficSources: 'Pop-unders', promotion: 'Anything' },
    });
    const admin = await signIn(server, ADMIN, demoPasswordOf(server, ADMIN));
    const noReason = await admin.request('POST', `/partner-applications/${apply.body.partnerId}/reject`, {});
    assert.equal(noReason.status, 400);
    await admin.request('POST', `/partner-applications/${apply.body.partnerId}/reject`, { reason: 'We do not take pop-under traffic' });
    const mail = await mailbox.waitFor(email, /Your application/);
    assert.match(mail.text, /pop-under/);
    const attempt = await server.request('POST', '/api/v1/session', { body: { email, password } });
    assert.equal(attempt.body.problem, 'application_rejected');
    assert.match(attempt.body.error, /pop-under/);
  });

  test('an account invites its own colleagues only; the invitation sets a password', async () => {
    const acme = await signIn(server, ACME, demoPasswordOf(server, ACME));
    const advertiserId = server.demo.advertiserIds[0]!;
    const foreign = await acme.request('POST', '/users', { email: 'x@brightside.example', name: 'X', role: 'advertiser', advertiserId: server.demo.advertiserIds[1] });
    assert.equal(foreign.status, 403);
    const partnerRole = await acme.request('POST', '/users', { email: 'y@acme.example', name: 'Y', role: 'partner', partnerId: server.demo.partnerIds[0] });
    assert.equal(partnerRole.status, 403);
    const invited = await acme.request('POST', '/users', { email: 'colleague@acme-outdoor.example', name: 'Cole League', role: 'advertiser', advertiserId });
    assert.equal(invited.status, 201, invited.text);
    assert.equal(invited.body.hasPassword, false);
    const mail = await mailbox.waitFor('colleague@acme-outdoor.example', /invited/);
    const accepted = await server.request('POST', '/api/v1/invitations/accept', { body: { token: linkToken(mail), password: 'short' } });
    assert.equal(accepted.status, 400, 'a short password is refused');
    assert.equal((await server.request('POST', '/api/v1/invitations/accept', { body: { token: linkToken(mail), password: 'a good long password' } })).status, 200);
    const colleague = await signIn(server, 'colleague@acme-outdoor.example', 'a good long password');
    assert.equal((await colleague.request('GET', '/session')).body.user.advertiserId, advertiserId);
    const list = (await acme.request('GET', '/users')).body as Array<{ email: string }>;
    assert.deepEqual(list.map((user) => user.email).sort(), ['colleague@acme-outdoor.example', ACME].sort());
    const disabled = await acme.request('PATCH', `/users/${invited.body.id}`, { status: 'disabled' });
    assert.equal(disabled.status, 200);
    assert.equal((await colleague.request('GET', '/session')).status, 401, 'a disabled user is signed out at once');
  });

  test('the audit log records who changed what, from where, before and after; each account reads its own', async () => {
    const acme = await signIn(server, ACME, demoPasswordOf(server, ACME));
    const offerId = server.demo.offerIds[0]!;
    const before = (await acme.request('GET', `/offers/${offerId}`)).body;
    const changed = await acme.request('PATCH', `/offers/${offerId}`, { description: 'Audited change' });
    assert.equal(changed.status, 200, changed.text);
    const entries = (await acme.request('GET', '/audit-log?entity=offers')).body.entries as Array<Record<string, any>>;
    const entry = entries.find((row) => row.after?.description === 'Audited change')!;
    assert.ok(entry, 'the change is in the advertiser\'s log');
    assert.equal(entry.action, 'update');
    assert.equal(entry.address, '127.0.0.1');
    assert.equal(entry.before.description, before.description);
    assert.equal(entry.actorRole, 'advertiser');
    assert.ok(!('payout_flat_micros' in entry.after), 'an advertiser does not read partner payouts in the log');
    const brightside = await signIn(server, 'ops@brightside-books.example', demoPasswordOf(server, 'ops@brightside-books.example'));
    const theirs = (await brightside.request('GET', '/audit-log?entity=offers')).body.entries as Array<Record<string, any>>;
    assert.ok(!theirs.some((row) => row.after?.description === 'Audited change'), 'another advertiser does not');
    const admin = await signIn(server, ADMIN, demoPasswordOf(server, ADMIN));
    const all = (await admin.request('GET', '/audit-log?entity=offers')).body.entries as Array<Record<string, any>>;
    assert.ok(all.some((row) => row.after?.description === 'Audited change' && 'payout_flat_micros' in row.after));
  });

  test('the demo users\' passwords are printed with their keys, and a changed one is no longer shown', async () => {
    const account = server.demo.accounts.find((row) => row.email === ADMIN)!;
    assert.match(account.password!, /^demo-/);
    const session = await signIn(server, ADMIN, account.password!);
    const changed = await session.request('POST', '/me/password', { currentPassword: account.password, newPassword: 'the operator changed it' });
    assert.equal(changed.status, 200, changed.text);
    const { ensureDemoNetwork } = await import('../../src/demo/demo-network.ts');
    const demo = await ensureDemoNetwork(server.store);
    assert.equal(demo.accounts.find((row) => row.email === ADMIN)!.password, null);
    await session.request('POST', '/me/password', { currentPassword: 'the operator changed it', newPassword: account.password });
  });

  test('a session\'s cookie means nothing once its user signs out: sessionWith a stale cookie is refused', async () => {
    const stale = sessionWith(server, 'partnerline_session=made-up-value', 'x');
    const reply = await stale.request('GET', '/session');
    assert.equal(reply.status, 401);
    assert.match(reply.body.error, /sign in again/);
  });
});
