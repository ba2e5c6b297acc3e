import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accountEmails } from '../accounts/account-emails.ts';
import { issueLinkToken, linkUrl, useLinkToken } from '../accounts/account-links.ts';
import { checkNewPassword, hashPassword, verifyPassword } from '../accounts/passwords.ts';
import { checkSignIn, SIGN_IN_MESSAGES } from '../accounts/sign-in.ts';
import { endAllSessions, endSession, startSession } from '../accounts/sessions.ts';
import { beginTotp, confirmTotp, disableTotp } from '../accounts/two-factor.ts';
import { findUserByEmail, getUser, setPasswordHash } from '../accounts/users.ts';
import { recordSignInEvent, setAuditActor } from '../audit/audit-log.ts';
import { sendJsonError, sendWrite } from '../http/json-api.ts';
import type { RateLimitRule } from '../http/rate-limits.ts';
import { errorBody, strictBody } from '../http/schema-types.ts';
import { clearSessionCookie, setSessionCookie } from '../http/session-cookie.ts';
import { getNetwork } from '../network/network.ts';
import type { Platform } from '../platform.ts';
import { ValidationError } from '../shared/errors.ts';
import { first } from '../shared/sql.ts';
import { userSchema } from './users-routes.ts';

/** Signing in and out, passwords, two-factor sign-in, and the links emails carry. */

/** Failed sign-ins allowed in 15 minutes, from one address and for one email; then every attempt waits. */
const SIGN_IN_LIMITS = {
  perAddress: { name: 'sign-in-address', points: 30, durationSeconds: 900 },
  perAccount: { name: 'sign-in-account', points: 10, durationSeconds: 900 },
};
const RESET_LIMIT = { name: 'password-reset', points: 5, durationSeconds: 3600 };

const emailSchema = { type: 'string', minLength: 3, maxLength: 254 } as const;
const passwordSchema = { type: 'string', minLength: 1, maxLength: 1000 } as const;
const tokenSchema = { type: 'string', minLength: 10, maxLength: 200 } as const;
const sessionAnswer = {
  type: 'object',
  properties: {
    user: userSchema,
    csrfToken: { type: ['string', 'null'], description: 'Send it in the X-CSRF-Token header with every change made with the session cookie' },
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;
const okAnswer = { type: 'object', properties: { ok: { type: 'boolean' }, message: { type: 'string' } } } as const;

const hashed = (text: string) => createHash('sha256').update(text.toLowerCase()).digest('base64url');

export function registerSessionRoutes(app: FastifyInstance, platform: Platform): void {
  const doc = (summary: string, open = false) => ({ tags: ['Sign-in'], summary, ...(open ? {} : { security: [{ apiKey: [] }] }) });
  const publicRoute = { public: true };

  async function limited(reply: FastifyReply, rule: RateLimitRule, subject: string, countThis = true) {
    const verdict = countThis ? await platform.rateLimits.consume(rule, subject) : await platform.rateLimits.check(rule, subject);
    if (verdict.allowed) return false;
    reply.header('Retry-After', String(verdict.retryAfterSeconds));
    sendJsonError(reply, 429, `Too many attempts; try again in ${Math.ceil(verdict.retryAfterSeconds / 60)} minute(s)`);
    return true;
  }

  /** A change that needs the user's password again: it must be right. */
  async function requirePassword(userId: number, password: string, field: string): Promise<void> {
    const stored = first(await platform.store.query<{ hash: string | null }>('SELECT password_hash AS hash FROM users WHERE id = $1', [userId]));
    if (!(await verifyPassword(password, stored?.hash ?? null))) throw new ValidationError(field, 'is wrong');
  }

  const where = (request: FastifyRequest) => ({ address: request.ip, userAgent: request.headers['user-agent'] });

  app.post<{ Body: { email: string; password: string; code?: string } }>(
    '/session',
    {
      config: publicRoute,
      schema: {
        ...doc('Sign in with email and password (and a two-factor code where it is on); sets the session cookie', true),
        body: strictBody({ email: emailSchema, password: passwordSchema, code: { type: 'string', maxLength: 20 } }, { required: ['email', 'password'] }),
        response: { 200: sessionAnswer, 401: { ...errorBody, properties: { ...errorBody.properties, problem: { type: 'string' } } }, 429: errorBody },
      },
    },
    async (request, reply) => {
      const { email, password, code } = request.body;
      if (await limited(reply, SIGN_IN_LIMITS.perAddress, request.ip, false)) return reply;
      if (await limited(reply, SIGN_IN_LIMITS.perAccount, hashed(email), false)) return reply;
      const outcome = await checkSignIn(platform.store, { email, password, code: code || undefined });
      if (!outcome.ok) {
        if (outcome.problem !== 'code_needed') {
          await platform.rateLimits.consume(SIGN_IN_LIMITS.perAddress, request.ip);
          await platform.rateLimits.consume(SIGN_IN_LIMITS.perAccount, hashed(email));
          await recordSignInEvent(platform.store, { userId: outcome.userId, action: 'sign_in_failed', address: request.ip, detail: { problem: outcome.problem } });
        }
        const message = SIGN_IN_MESSAGES[outcome.problem] + (outcome.reason ? `: ${outcome.reason}` : '');
        return reply.code(401).send({ error: message, problem: outcome.problem });
      }
      const session = await platform.store.transaction(async (tx) => {
        await recordSignInEvent(tx, { userId: outcome.userId, action: 'sign_in', address: request.ip });
        return startSession(tx, outcome.userId, where(request));
      });
      setSessionCookie(request, reply, session);
      return { user: await getUser(platform.store, outcome.userId), csrfToken: session.csrfToken, expiresAt: session.expiresAt };
    },
  );

  app.get(
    '/session',
    { schema: { ...doc('Who you are signed in as, with the CSRF token your changes carry'), response: { 200: sessionAnswer, 401: errorBody } } },
    async (request) => ({
      user: await getUser(platform.store, request.principal.userId),
      csrfToken: request.session?.csrfToken ?? null,
      expiresAt: request.session?.expiresAt ?? null,
    }),
  );

  app.delete(
    '/session',
    { schema: { ...doc('Sign out: ends this session'), response: { 200: okAnswer } } },
    async (request, reply) => {
      if (request.session) {
        await platform.store.transaction(async (tx) => {
          await recordSignInEvent(tx, { userId: request.principal.userId, action: 'sign_out', address: request.ip });
          await endSession(tx, request.session!.sessionId);
        });
      }
      clearSessionCookie(reply);
      return { ok: true, message: 'Signed out' };
    },
  );

  app.post(
    '/session/sign-out-everywhere',
    { schema: { ...doc('Sign out everywhere: ends every session of your user, this one included'), response: { 200: okAnswer } } },
    async (request, reply) => {
      const ended = await platform.store.transaction(async (tx) => {
        await recordSignInEvent(tx, { userId: request.principal.userId, action: 'sign_out_everywhere', address: request.ip });
        return endAllSessions(tx, request.principal.userId);
      });
      clearSessionCookie(reply);
      return { ok: true, message: `Ended ${ended} session(s)` };
    },
  );

  app.post<{ Body: { email: string } }>(
    '/password-reset',
    {
      config: publicRoute,
      schema: {
        ...doc('Ask for a password reset link by email; the answer is the same whether or not the email is known', true),
        body: strictBody({ email: emailSchema }, { required: ['email'] }),
        response: { 202: okAnswer, 429: errorBody },
      },
    },
    async (request, reply) => {
      if (await limited(reply, RESET_LIMIT, request.ip)) return reply;
      const user = await findUserByEmail(platform.store, request.body.email);
      if (user && user.status === 'active') {
        const token = await issueLinkToken(platform.store, user.id, 'password_reset');
        const network = await getNetwork(platform.store);
        // Not awaited: how long the answer takes must not tell whether the email is known.
        void platform.sendEmail(accountEmails.passwordReset(user.email, network.name, linkUrl(platform.config.publicUrl, 'password_reset', token)));
      }
      return reply.code(202).send({ ok: true, message: 'If an account uses this email, a link to reset its password is on its way' });
    },
  );

  for (const [path, purpose, summary] of [
    ['/password-reset/complete', 'password_reset', 'Set a new password with the link from the reset email; ends every session'],
    ['/invitations/accept', 'invitation', 'Accept an invitation: set your password with the link from the email'],
  ] as const) {
    app.post<{ Body: { token: string; password: string } }>(
      path,
      {
        config: publicRoute,
        schema: {
          ...doc(summary, true),
          body: strictBody({ token: tokenSchema, password: passwordSchema }, { required: ['token', 'password'] }),
          response: { 200: okAnswer, 400: errorBody },
        },
      },
      async (request) => {
        checkNewPassword(request.body.password);
        const passwordHash = await hashPassword(request.body.password);
        await platform.store.transaction(async (tx) => {
          const userId = await useLinkToken(tx, request.body.token, purpose);
          const user = await getUser(tx, userId);
          await setAuditActor(tx, { ...user, keyId: null, userId }, request.ip);
          await setPasswordHash(tx, userId, passwordHash);
          await endAllSessions(tx, userId);
        });
        return { ok: true, message: 'Your password is set: sign in with it' };
      },
    );
  }

  app.post<{ Body: { token: string } }>(
    '/email-confirmation',
    {
      config: publicRoute,
      schema: { ...doc('Confirm your email with the link from the email', true), body: strictBody({ token: tokenSchema }, { required: ['token'] }), response: { 200: okAnswer, 400: errorBody } },
    },
    async (request) => {
      await platform.store.transaction(async (tx) => {
        const userId = await useLinkToken(tx, request.body.token, 'email_confirmation');
        await tx.query('UPDATE users SET email_confirmed_at = coalesce(email_confirmed_at, now()) WHERE id = $1', [userId]);
      });
      return { ok: true, message: 'Your email is confirmed' };
    },
  );

  app.post<{ Body: { currentPassword: string; newPassword: string } }>(
    '/me/password',
    {
      schema: {
        ...doc('Change your password; your other sessions end'),
        body: strictBody({ currentPassword: passwordSchema, newPassword: passwordSchema }, { required: ['currentPassword', 'newPassword'] }),
        response: { 200: okAnswer, 400: errorBody },
      },
    },
    async (request, reply) => {
      await requirePassword(request.principal.userId, request.body.currentPassword, 'currentPassword');
      checkNewPassword(request.body.newPassword);
      const passwordHash = await hashPassword(request.body.newPassword);
      return sendWrite(platform, request, reply, async (tx) => {
        await setPasswordHash(tx, request.principal.userId, passwordHash);
        await tx.query('UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL AND csrf_token <> $2', [
          request.principal.userId,
          request.session?.csrfToken ?? '',
        ]);
        return { statusCode: 200, body: { ok: true, message: 'Your password is changed; your other sessions have ended' } };
      });
    },
  );

  app.post(
    '/me/two-factor',
    {
      schema: {
        ...doc('Start turning on two-factor sign-in: answers the secret for your authenticator app'),
        response: { 200: { type: 'object', properties: { secret: { type: 'string' }, uri: { type: 'string' } } }, 409: errorBody },
      },
    },
    async (request, reply) => {
      const user = await getUser(platform.store, request.principal.userId);
      const network = await getNetwork(platform.store);
      return sendWrite(platform, request, reply, async (tx) => ({ statusCode: 200, body: await beginTotp(tx, user.id, user.email, network.name) }));
    },
  );

  app.post<{ Body: { code: string } }>(
    '/me/two-factor/confirm',
    {
      schema: {
        ...doc('Turn on two-factor sign-in with a first code; answers recovery codes, shown once'),
        body: strictBody({ code: { type: 'string', maxLength: 20 } }, { required: ['code'] }),
        response: { 200: { type: 'object', properties: { recoveryCodes: { type: 'array', items: { type: 'string' } } } }, 400: errorBody, 409: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => {
        const recoveryCodes = await confirmTotp(tx, request.principal.userId, request.body.code.trim());
        return { statusCode: 200, body: { recoveryCodes }, replayBody: { recoveryCodes: [] } };
      }),
  );

  app.delete<{ Body: { password: string } }>(
    '/me/two-factor',
    {
      schema: {
        ...doc('Turn off two-factor sign-in (your password confirms it)'),
        body: strictBody({ password: passwordSchema }, { required: ['password'] }),
        response: { 200: okAnswer, 400: errorBody },
      },
    },
    async (request, reply) => {
      await requirePassword(request.principal.userId, request.body.password, 'password');
      return sendWrite(platform, request, reply, async (tx) => {
        await disableTotp(tx, request.principal.userId);
        return { statusCode: 200, body: { ok: true, message: 'Two-factor sign-in is off' } };
      });
    },
  );
}
