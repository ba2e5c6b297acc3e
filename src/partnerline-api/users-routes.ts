import type { FastifyInstance } from 'fastify';
import { accountEmails } from '../accounts/account-emails.ts';
import { issueLinkToken, linkUrl } from '../accounts/account-links.ts';
import { ROLES } from '../accounts/principal.ts';
import { endAllSessions } from '../accounts/sessions.ts';
import { checkInvitable, createUser, getManageableUser, listUsersOf, updateUser, type NewUser, type User, type UserChanges } from '../accounts/users.ts';
import { sendWrite } from '../http/json-api.ts';
import { errorBody, idParams, idSchema, strictBody } from '../http/schema-types.ts';
import { getNetwork } from '../network/network.ts';
import type { Platform } from '../platform.ts';
import { ConflictError } from '../shared/errors.ts';

/** The people of each account: the network invites anyone's; every account invites its own colleagues. */

export const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    email: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', enum: [...ROLES] },
    advertiserId: { type: ['integer', 'null'] },
    partnerId: { type: ['integer', 'null'] },
    agencyId: { type: ['integer', 'null'] },
    status: { type: 'string', enum: ['active', 'disabled'] },
    twoFactor: { type: 'boolean' },
    apiAccess: { type: 'boolean' },
    hasPassword: { type: 'boolean', description: 'False while an invitation is not yet accepted' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export function registerUserRoutes(app: FastifyInstance, platform: Platform): void {
  const doc = (summary: string) => ({ tags: ['Users'], summary, security: [{ apiKey: [] }] });

  async function sendInvitation(user: User): Promise<void> {
    const token = await issueLinkToken(platform.store, user.id, 'invitation');
    const network = await getNetwork(platform.store);
    await platform.sendEmail(accountEmails.invitation(user.email, network.name, linkUrl(platform.config.publicUrl, 'invitation', token)));
  }

  app.get('/users', { schema: { ...doc('List the users of your account (the network: every user)'), response: { 200: { type: 'array', items: userSchema } } } }, (request) =>
    listUsersOf(platform.store, request.principal),
  );

  app.post<{ Body: NewUser }>(
    '/users',
    {
      schema: {
        ...doc('Invite a user: they get an email to set their password'),
        body: strictBody(
          {
            email: { type: 'string', minLength: 3, maxLength: 254 },
            name: { type: 'string', minLength: 1, maxLength: 200 },
            role: { type: 'string', enum: [...ROLES] },
            advertiserId: { ...idSchema, type: ['integer', 'null'] },
            partnerId: { ...idSchema, type: ['integer', 'null'] },
            agencyId: { ...idSchema, type: ['integer', 'null'] },
            apiAccess: { type: 'boolean', default: false },
          },
          { required: ['email', 'name', 'role'] },
        ),
        response: { 201: userSchema, 400: errorBody, 403: errorBody },
      },
    },
    async (request, reply) => {
      checkInvitable(request.principal, request.body);
      let invited: User | undefined;
      const sent = await sendWrite(platform, request, reply, async (tx) => {
        invited = await createUser(tx, { ...request.body, apiAccess: request.principal.role === 'network_admin' && request.body.apiAccess === true });
        return { statusCode: 201, body: invited };
      });
      if (invited) await sendInvitation(invited);
      return sent;
    },
  );

  app.get<{ Params: { id: number } }>('/users/:id', { schema: { ...doc('One user'), params: idParams, response: { 200: userSchema, 404: errorBody } } }, (request) =>
    getManageableUser(platform.store, request.principal, request.params.id),
  );

  app.patch<{ Params: { id: number }; Body: UserChanges }>(
    '/users/:id',
    {
      schema: {
        ...doc('Rename, deactivate or reactivate a user; the network also grants API access'),
        params: idParams,
        body: strictBody(
          { name: { type: 'string', minLength: 1, maxLength: 200 }, status: { type: 'string', enum: ['active', 'disabled'] }, apiAccess: { type: 'boolean' } },
          { minProperties: 1 },
        ),
        response: { 200: userSchema, 400: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => {
        const user = await updateUser(tx, request.principal, request.params.id, request.body);
        // A disabled user is signed out everywhere at once.
        if (user.status === 'disabled') await endAllSessions(tx, user.id);
        return { statusCode: 200, body: user };
      }),
  );

  app.post<{ Params: { id: number } }>(
    '/users/:id/invitation',
    { schema: { ...doc('Send an invitation again (the earlier link stops working)'), params: idParams, response: { 202: userSchema, 404: errorBody, 409: errorBody } } },
    async (request, reply) => {
      const user = await getManageableUser(platform.store, request.principal, request.params.id);
      if (user.hasPassword) throw new ConflictError('This user has already set a password; they can reset it from the sign-in page');
      await sendInvitation(user);
      return reply.code(202).send(user);
    },
  );
}
