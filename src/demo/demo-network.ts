import { randomBytes } from 'node:crypto';
import { demoKeySecret, demoPassword, isKeyActive, issueKey } from '../accounts/api-keys.ts';
import { OPERATOR, type Role } from '../accounts/principal.ts';
import { hashPassword, verifyPassword } from '../accounts/passwords.ts';
import { createUser, setPasswordHash } from '../accounts/users.ts';
import { createAdvertiser } from '../advertisers/advertisers.ts';
import { ensureCatalogItem } from '../catalog/catalog.ts';
import { createGoal, setCap, setCustomTerms } from '../offers/offer-terms.ts';
import { createOffer } from '../offers/offers.ts';
import { setApproval } from '../partners/approvals.ts';
import { addTrafficSource, createPartner } from '../partners/partners.ts';
import { setBidFactors } from '../traffic-control/bid-factors.ts';
import { createControlList } from '../traffic-control/control-lists.ts';
import type { Queryable, Store } from '../store/store.ts';

export interface DemoAccount {
  id: number;
  role: Role;
  name: string;
  email: string;
  /** The advertiser, partner or agency the user acts for (its id in the APIs); null for the network's admin. */
  accountId: number | null;
  /** Null once the operator has revoked the demo key. */
  apiKey: string | null;
  /** The portal password; null once someone has changed it. */
  password: string | null;
}

export interface DemoNetwork {
  created: boolean;
  accounts: DemoAccount[];
  advertiserIds: number[];
  partnerIds: number[];
  offerIds: number[];
}

const DOLLAR = 1_000_000n;
const cents = (value: number): bigint => (BigInt(value) * DOLLAR) / 100n;
const percent = (value: number): number => Math.round(value * 10_000);

/** The demo's accounts as a person reads them: role, the id the APIs know the account by, email and key. */
export function demoAccountLines(demo: DemoNetwork): string[] {
  return demo.accounts.map((account) => {
    const id = account.accountId === null ? 'network' : `${account.role} ${account.accountId}`;
    return `${id.padEnd(14)} ${account.email.padEnd(36)} password: ${(account.password ?? '(changed)').padEnd(18)} X-API-KEY: ${account.apiKey ?? '(revoked)'}`;
  });
}

/** Creates the demo network unless it exists, then describes it with the demo accounts' keys. */
export async function ensureDemoNetwork(store: Store): Promise<DemoNetwork> {
  const created = await store.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(727275)');
    const [network] = await tx.query<{ manifest: DemoManifest | null }>('SELECT demo_manifest AS manifest FROM network');
    if (network?.manifest) return false;
    await seed(tx);
    return true;
  });
  return { ...(await describeDemoNetwork(store)), created };
}

interface DemoManifest {
  userIds: number[];
  advertiserIds: number[];
  partnerIds: number[];
  offerIds: number[];
}

async function describeDemoNetwork(db: Queryable): Promise<Omit<DemoNetwork, 'created'>> {
  const [network] = await db.query<{ demoSecret: Uint8Array; manifest: DemoManifest }>(
    'SELECT demo_secret AS "demoSecret", demo_manifest AS manifest FROM network',
  );
  const { demoSecret, manifest } = network!;
  const users = await db.query<Omit<DemoAccount, 'apiKey' | 'password'> & { passwordHash: string | null }>(
    `SELECT id, role, name, email, coalesce(advertiser_id, partner_id, agency_id) AS "accountId", password_hash AS "passwordHash"
     FROM users WHERE id = ANY($1::int[]) ORDER BY id`,
    [manifest.userIds],
  );
  const accounts = await Promise.all(
    users.map(async ({ passwordHash, ...user }): Promise<DemoAccount> => {
      const secret = demoKeySecret(demoSecret, user.id);
      const password = demoPassword(demoSecret, user.id);
      // A demo store made before people could sign in gets its passwords now.
      if (passwordHash === null) await setPasswordHash(db, user.id, await hashPassword(password));
      const passwordHolds = passwordHash === null || (await verifyPassword(password, passwordHash));
      return { ...user, apiKey: (await isKeyActive(db, secret)) ? secret : null, password: passwordHolds ? password : null };
    }),
  );
  return {
    accounts,
    advertiserIds: manifest.advertiserIds,
    partnerIds: manifest.partnerIds,
    offerIds: manifest.offerIds,
  };
}

async function seed(db: Queryable): Promise<void> {
  const demoSecret = randomBytes(32);
  await db.query(
    `UPDATE network SET name = 'Partnerline Demo Network', time_zone = 'America/New_York', currency = 'USD',
       fallback_url = 'https://partnerline.example/offer-unavailable', demo_secret = $1, updated_at = now()`,
    [demoSecret],
  );
  const category = async (name: string) => (await ensureCatalogItem(db, 'categories', name)).id;
  const channel = async (name: string) => (await ensureCatalogItem(db, 'channels', name)).id;
  const outdoor = await category('Outdoor & Sports');
  const books = await category('Books & Media');
  for (const name of ['Apparel & Accessories', 'Finance', 'Travel', 'Software']) await category(name);
  const content = await channel('Content');
  const coupon = await channel('Coupon');
  const social = await channel('Social');
  for (const name of ['Cashback & Loyalty', 'Email', 'Search', 'Mobile App']) await channel(name);

  const [agency] = await db.query<{ id: number }>(`INSERT INTO agencies (name) VALUES ('Northwind Agency') RETURNING id`);
  const acme = await createAdvertiser(db, OPERATOR, {
    name: 'Acme Outdoor',
    businessUrl: 'https://acme-outdoor.example',
    categoryId: outdoor,
  });
  const brightside = await createAdvertiser(db, OPERATOR, {
    name: 'Brightside Books',
    businessUrl: 'https://brightside-books.example',
    categoryId: books,
  });
  await db.query('UPDATE advertisers SET agency_id = $1 WHERE id = ANY($2::int[])', [agency!.id, [acme.id, brightside.id]]);

  const trailblazer = await createPartner(db, {
    name: 'Trailblazer Reviews',
    email: 'hello@trailblazer-reviews.example',
    website: 'https://trailblazer-reviews.example',
    channelId: content,
  });
  const couponCrate = await createPartner(db, {
    name: 'CouponCrate',
    email: 'deals@couponcrate.example',
    website: 'https://couponcrate.example',
    channelId: coupon,
  });
  const socialSpark = await createPartner(db, {
    name: 'SocialSpark Media',
    email: 'team@socialspark.example',
    website: 'https://socialspark.example',
    channelId: social,
  });
  await addTrafficSource(db, trailblazer.id, { name: 'Gear blog', url: 'https://trailblazer-reviews.example', channelId: content });
  await addTrafficSource(db, trailblazer.id, { name: 'Newsletter', channelId: content });
  await addTrafficSource(db, couponCrate.id, { name: 'Coupon site', url: 'https://couponcrate.example', channelId: coupon });
  await addTrafficSource(db, socialSpark.id, { name: 'Instagram', channelId: social });

  const springGear = await createOffer(db, OPERATOR, {
    advertiserId: acme.id,
    name: 'Acme Outdoor - Spring Gear',
    description: 'Paid per click on outdoor gear for spring.',
    destinationUrl: 'https://acme-outdoor.example/spring?clickid={transaction_id}&pid={affiliate_id}&sub={aff_sub}',
    previewUrl: 'https://acme-outdoor.example/spring',
    allowDeepLink: true,
    geoTargeting: ['US', 'CA'],
    channelIds: [content, social],
    payoutType: 'cpc',
    payoutFlatMicros: cents(30),
    revenueType: 'cpc',
    revenueFlatMicros: cents(45),
    dailyBudgetMicros: cents(25000),
  });
  const newsletter = await createOffer(db, OPERATOR, {
    advertiserId: acme.id,
    name: 'Acme Outdoor - Newsletter Signup',
    description: 'A flat payout for each confirmed newsletter signup.',
    destinationUrl: 'https://acme-outdoor.example/newsletter?tid={transaction_id}',
    payoutType: 'cpa_flat',
    payoutFlatMicros: cents(250),
    revenueType: 'cpa_flat',
    revenueFlatMicros: cents(400),
  });
  const bestsellers = await createOffer(db, OPERATOR, {
    advertiserId: brightside.id,
    name: 'Brightside Books - Bestsellers',
    description: 'A share of every order; partners apply for access.',
    destinationUrl: 'https://brightside-books.example/bestsellers?tid={transaction_id}&aff={affiliate_id}',
    visibility: 'approval',
    approveConversions: true,
    holdHours: 720,
    payoutType: 'cpa_percentage',
    payoutPercentPpm: percent(8),
    revenueType: 'cpa_percentage',
    revenuePercentPpm: percent(12),
  });
  const bookClub = await createOffer(db, OPERATOR, {
    advertiserId: brightside.id,
    name: 'Brightside Books - Book Club',
    description: 'Invite-only: a flat bounty plus a share of the first order.',
    destinationUrl: 'https://brightside-books.example/club?tid={transaction_id}',
    visibility: 'private',
    payoutType: 'cpa_both',
    payoutFlatMicros: cents(300),
    payoutPercentPpm: percent(6),
    revenueType: 'cpa_both',
    revenueFlatMicros: cents(500),
    revenuePercentPpm: percent(10),
  });
  const mobileDeals = await createOffer(db, OPERATOR, {
    advertiserId: acme.id,
    name: 'Acme Outdoor - Mobile Deals',
    description: 'Paid per click from phones in the US.',
    destinationUrl: 'https://acme-outdoor.example/m/deals?clickid={transaction_id}',
    geoTargeting: ['US'],
    deviceTargeting: ['mobile'],
    payoutType: 'cpc',
    payoutFlatMicros: cents(18),
    revenueType: 'cpc',
    revenueFlatMicros: cents(25),
    dailyBudgetMicros: cents(10000),
  });

  await createGoal(db, OPERATOR, bookClub.id, {
    name: 'Trial',
    payoutType: 'cpa_flat',
    payoutFlatMicros: cents(100),
    revenueType: 'cpa_flat',
    revenueFlatMicros: cents(150),
  });
  await createGoal(db, OPERATOR, bookClub.id, {
    name: 'Paid membership',
    payoutType: 'cpa_both',
    payoutFlatMicros: cents(500),
    payoutPercentPpm: percent(5),
    revenueType: 'cpa_both',
    revenueFlatMicros: cents(800),
    revenuePercentPpm: percent(8),
  });
  await setCap(db, OPERATOR, newsletter.id, { metric: 'conversions', period: 'day', limit: 500n });
  await setCap(db, OPERATOR, bookClub.id, { partnerId: couponCrate.id, metric: 'payout', period: 'month', limit: cents(500000) });
  await setCustomTerms(db, OPERATOR, bestsellers.id, 'payout', { partnerId: trailblazer.id, type: 'cpa_percentage', percentPpm: percent(10) });
  await setApproval(db, bestsellers.id, trailblazer.id, 'approved');
  await setApproval(db, bestsellers.id, couponCrate.id, 'pending', 'Asked to describe the coupon site.');
  await setApproval(db, bookClub.id, trailblazer.id, 'approved', 'Invited by the network.');
  await setApproval(db, newsletter.id, socialSpark.id, 'blocked', 'Incentivised signups.');
  await setBidFactors(db, OPERATOR, springGear.id, [{ subId: String(trailblazer.id), factorE4: 12_000 }]);
  const agencyPrincipal = { ...OPERATOR, role: 'agency' as const, agencyId: agency!.id };
  await createControlList(db, agencyPrincipal, {
    name: 'Blocked sources',
    type: 'block',
    global: true,
    offerIds: [],
    subIds: [`${socialSpark.id}_giveaways`],
  });
  await createControlList(db, agencyPrincipal, {
    name: 'Mobile Deals allow list',
    type: 'allow',
    global: false,
    offerIds: [mobileDeals.id],
    subIds: [String(trailblazer.id), String(couponCrate.id)],
  });

  const accounts: Array<Parameters<typeof createUser>[1]> = [
    { email: 'admin@partnerline.example', name: 'Network Admin', role: 'network_admin' },
    { email: 'ops@acme-outdoor.example', name: 'Acme Outdoor', role: 'advertiser', advertiserId: acme.id },
    { email: 'ops@brightside-books.example', name: 'Brightside Books', role: 'advertiser', advertiserId: brightside.id },
    { email: 'team@northwind.example', name: 'Northwind Agency', role: 'agency', agencyId: agency!.id },
    { email: 'hello@trailblazer-reviews.example', name: 'Trailblazer Reviews', role: 'partner', partnerId: trailblazer.id },
    { email: 'deals@couponcrate.example', name: 'CouponCrate', role: 'partner', partnerId: couponCrate.id },
    { email: 'team@socialspark.example', name: 'SocialSpark Media', role: 'partner', partnerId: socialSpark.id },
  ];
  const userIds: number[] = [];
  for (const account of accounts) {
    const user = await createUser(db, account);
    await issueKey(db, user.id, 'demo', demoKeySecret(demoSecret, user.id));
    userIds.push(user.id);
  }
  const manifest: DemoManifest = {
    userIds,
    advertiserIds: [acme.id, brightside.id],
    partnerIds: [trailblazer.id, couponCrate.id, socialSpark.id],
    offerIds: [springGear.id, newsletter.id, bestsellers.id, bookClub.id, mobileDeals.id],
  };
  await db.query('UPDATE network SET demo_manifest = $1', [JSON.stringify(manifest)]);
}
