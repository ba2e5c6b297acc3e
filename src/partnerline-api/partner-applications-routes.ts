import type { FastifyInstance } from 'fastify';
import { accountEmails } from '../accounts/account-emails.ts';
import { issueLinkToken, linkUrl } from '../accounts/account-links.ts';
import { requireNetworkAdmin } from '../accounts/scope.ts';
import { sendWrite } from '../http/json-api.ts';
import { errorBody, idParams, strictBody } from '../http/schema-types.ts';
import { getNetwork } from '../network/network.ts';
import { applyAsPartner, decidePartnerApplication, listPartnerApplications, type PartnerApplicationInput } from '../partners/partner-sign-up.ts';
import type { Platform } from '../platform.ts';

/** Partner sign-up: anyone may apply; the network approves or rejects with a reason, and the partner is told by email. */

const applicationSchema = {
  type: 'object',
  properties: {
    partnerId: { type: 'integer' },
    company: { type: ['string', 'null'] },
    contactName: { type: 'string' },
    email: { type: 'string' },
    website: { type: ['string', 'null'] },
    trafficSources: { type: ['string', 'null'] },
    promotion: { type: ['string', 'null'] },
    status: { type: 'string' },
    emailConfirmed: { type: 'boolean' },
    reviewReason: { type: ['string', 'null'] },
    appliedAt: { type: 'string', format: 'date-time' },
    reviewedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;

export function registerPartnerApplicationRoutes(app: FastifyInstance, platform: Platform): void {
  const doc = (summary: string, open = false) => ({ tags: ['Partner sign-up'], summary, ...(open ? {} : { security: [{ apiKey: [] }] }) });

  app.post<{ Body: PartnerApplicationInput }>(
    '/partner-applications',
    {
      config: { public: true },
      schema: {
        ...doc('Apply to the network as a partner (no key needed); an email confirms the address', true),
        body: strictBody(
          {
            company: text(200),
            name: text(200),
            email: { type: 'string', minLength: 3, maxLength: 254 },
            password: { type: 'string', minLength: 1, maxLength: 1000 },
            website: { type: 'string', maxLength: 2000 },
            trafficSources: text(2000),
            promotion: text(4000),
          },
          { required: ['company', 'name', 'email', 'password', 'trafficSources', 'promotion'] },
        ),
        response: { 201: applicationSchema, 400: errorBody },
      },
    },
    async (request, reply) => {
      const { application, user } = await platform.store.transaction((tx) => applyAsPartner(tx, request.body));
      const token = await issueLinkToken(platform.store, user.id, 'email_confirmation');
      const network = await getNetwork(platform.store);
      await platform.sendEmail(accountEmails.confirmEmail(user.email, network.name, linkUrl(platform.config.publicUrl, 'email_confirmation', token)));
      return reply.code(201).send(application);
    },
  );

  app.get<{ Querystring: { status?: 'pending' | 'active' | 'rejected' } }>(
    '/partner-applications',
    {
      schema: {
        ...doc('Partner applications (network only), newest first'),
        querystring: { type: 'object', properties: { status: { type: 'string', enum: ['pending', 'active', 'rejected'] } } },
        response: { 200: { type: 'array', items: applicationSchema }, 403: errorBody },
      },
    },
    (request) => {
      requireNetworkAdmin(request.principal);
      return listPartnerApplications(platform.store, request.query.status);
    },
  );

  for (const decision of ['approve', 'reject'] as const) {
    app.post<{ Params: { id: number }; Body: { reason?: string } | undefined }>(
      `/partner-applications/:id/${decision}`,
      {
        schema: {
          ...doc(decision === 'approve' ? 'Approve an application: the partner may sign in' : 'Reject an application with a reason the partner reads'),
          params: idParams,
          body: strictBody({ reason: { type: 'string', maxLength: 2000 } }),
          response: { 200: applicationSchema, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
        },
      },
      async (request, reply) => {
        requireNetworkAdmin(request.principal);
        let decided: { email: string; changed: boolean; reason: string | null } | undefined;
        const sent = await sendWrite(platform, request, reply, async (tx) => {
          const { application, changed } = await decidePartnerApplication(tx, request.params.id, decision, request.body?.reason ?? null);
          decided = { email: application.email, changed, reason: application.reviewReason };
          return { statusCode: 200, body: application };
        });
        if (decided?.changed) {
          const network = await getNetwork(platform.store);
          await platform.sendEmail(accountEmails.applicationDecided(decided.email, network.name, decision === 'approve', decided.reason, `${platform.config.publicUrl}/sign-in`));
        }
        return sent;
      },
    );
  }
}
