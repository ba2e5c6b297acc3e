import type { FastifyInstance } from 'fastify';
import { useJsonApiConventions } from '../http/json-api.ts';
import type { Platform } from '../platform.ts';
import { registerAccessRoutes } from './access-routes.ts';
import { registerAccountRoutes } from './accounts-routes.ts';
import { registerClickRoutes } from './clicks-routes.ts';
import { registerConversionRoutes } from './conversions-routes.ts';
import { registerHasOffersImportRoutes } from './hasoffers-imports-routes.ts';
import { registerHasOffersNetworkRoutes } from './hasoffers-networks-routes.ts';
import { registerKeyRoutes } from './keys-routes.ts';
import { registerNetworkRoutes } from './network-routes.ts';
import { registerNotificationRoutes } from './notifications-routes.ts';
import { registerMarketplaceRoutes } from './marketplace-routes.ts';
import { registerOfferRoutes } from './offers-routes.ts';
import { registerOfferTermsRoutes, TERMS_FIELD_NAMES } from './offer-terms-routes.ts';
import { registerPartnerApplicationRoutes } from './partner-applications-routes.ts';
import { registerPartnerTierRoutes } from './partner-tiers-routes.ts';
import { registerPostbackRoutes } from './postbacks-routes.ts';
import { registerDashboardRoute, registerReportRoutes } from './reports-routes.ts';
import { registerSessionRoutes } from './session-routes.ts';
import { registerUserRoutes } from './users-routes.ts';

/** Partnerline's own API (v1): keys, the network's settings, offers' goals, caps and partner payouts, partner tiers, clicks, conversions and their ledger, postbacks, notifications, tracking links. */
const LIMITS = {
  perKey: { name: 'v1-key', points: 1200, durationSeconds: 60 },
  identical: { name: 'v1-same', points: 10, durationSeconds: 60 },
};

export async function partnerlineApi(app: FastifyInstance, { platform }: { platform: Platform }): Promise<void> {
  useJsonApiConventions(app, { platform, limits: LIMITS, fieldNames: TERMS_FIELD_NAMES });
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 20 * 1024 * 1024 }, (_request, body, done) => done(null, body));
  registerSessionRoutes(app, platform);
  registerUserRoutes(app, platform);
  registerPartnerApplicationRoutes(app, platform);
  registerAccessRoutes(app, platform);
  registerKeyRoutes(app, platform);
  registerNetworkRoutes(app, platform);
  registerClickRoutes(app, platform);
  registerConversionRoutes(app, platform);
  registerAccountRoutes(app, platform);
  registerOfferRoutes(app, platform);
  registerMarketplaceRoutes(app, platform);
  registerOfferTermsRoutes(app, platform);
  registerPartnerTierRoutes(app, platform);
  registerPostbackRoutes(app, platform);
  registerNotificationRoutes(app, platform);
  registerReportRoutes(app, platform);
  registerDashboardRoute(app, platform);
  registerHasOffersNetworkRoutes(app, platform);
  registerHasOffersImportRoutes(app, platform);
}
