import path from 'node:path';
import { Redis } from 'ioredis';
import type { Config } from './config.ts';
import { purgeExpiredIdempotencyKeys } from './http/idempotency.ts';
import { beginImport, markInterruptedImports, runImport, type HasOffersImport, type ImportRequest } from './hasoffers-bridge/hasoffers-import.ts';
import { ImportedLinks } from './hasoffers-bridge/imported-links.ts';
import { reconcileYesterday } from './hasoffers-bridge/reconcile.ts';
import { DEFAULT_SYNC_OPTIONS, syncDueTasks, type SyncOptions } from './hasoffers-bridge/sync-out.ts';
import { createMailer, type Email, type Mailer } from './mail/mailer.ts';
import { RateLimits } from './http/rate-limits.ts';
import { ConversionPipeline } from './ledger/conversion-pipeline.ts';
import { approveHeldConversions } from './ledger/hold-period.ts';
import { getNetwork, setMaintenance, storeId } from './network/network.ts';
import { raiseLimitAlerts } from './offers/limit-alerts.ts';
import { DEFAULT_DELIVERY_OPTIONS, DeliveryWorker, type DeliveryOptions } from './postbacks/delivery-worker.ts';
import { Periodic } from './shared/periodic.ts';
import { sharedCountsPrefix, type SharedCounts } from './shared/shared-counts.ts';
import type { Store } from './store/store.ts';
import { forgetOldLogs } from './store/log-retention.ts';
import { ShortLinkCache } from './tracking/short-links.ts';
import { Tracker } from './tracking/tracker.ts';

/** How often a process re-reads switches another process may have flipped in the shared store. */
const SETTINGS_REFRESH_MS = 2_000;
const HOLD_CHECK_MS = 60_000;
const LIMIT_CHECK_MS = 60_000;
const HOUSEKEEPING_MS = 3_600_000;
const HASOFFERS_SYNC_MS = 1_000;
const IMPORTED_LINKS_REFRESH_MS = 60_000;
/** Under the data directory: clicks and impressions the store would not take, at a stop or beyond memory's share in an outage. */
export const KEPT_TRAFFIC_DIR = 'unwritten-traffic';

export interface PlatformOptions {
  /** Postback delivery settings beyond the configuration's (tests shorten the delays). */
  delivery?: Partial<DeliveryOptions>;
  /** HasOffers sync settings (tests shorten the delays). */
  hasOffersSync?: Partial<SyncOptions>;
}

/** The running platform: its store and the process-wide services every face shares. */
export class Platform {
  readonly config: Config;
  readonly store: Store;
  readonly rateLimits: RateLimits;
  readonly tracker: Tracker;
  /** Short tracking links by code, shared by the click fast path and the router's route. */
  readonly shortLinks: ShortLinkCache;
  readonly deliveries: DeliveryWorker;
  readonly conversions: ConversionPipeline;
  /** Imported HasOffers networks' link ids, read by every click on their tracking domains. */
  readonly importedLinks: ImportedLinks;
  /** Imports running in the background; a stop interrupts them. */
  private readonly imports = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly mailer: Mailer;
  private readonly redis: Redis | undefined;
  private maintenanceOn = false;
  /** Clicks and impressions an earlier run kept on disk, written at this start. */
  keptTrafficWritten = 0;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** Approves the conversions whose hold has ended; a backlog may take longer than a period. */
  private readonly approveHeld = new Periodic(this.reported('approving conversions whose hold has ended', () => approveHeldConversions(this.store)), HOLD_CHECK_MS);
  /** Tells advertisers (and partners, of their own caps) of budgets and caps nearly used up or reached. */
  readonly raiseAlerts = new Periodic(this.reported('raising budget and cap alerts', () => raiseLimitAlerts(this.store)), LIMIT_CHECK_MS);
  private readonly syncOptions: SyncOptions;
  /** Sends the ledger's changes into the HasOffers networks its offers are linked to. */
  readonly syncOut = new Periodic(this.reported('syncing the ledger into HasOffers networks', () => syncDueTasks(this.store, this.syncOptions)), HASOFFERS_SYNC_MS);
  /** Reconciles yesterday with each connected HasOffers network, once a day (looked for every hour). */
  readonly reconcileDaily = new Periodic(
    this.reported('reconciling yesterday with the HasOffers networks', async () => reconcileYesterday(this.store, new Date(), (await getNetwork(this.store)).timeZone)),
    HOUSEKEEPING_MS,
  );
  /** Another process may have imported a network: its links are read again now and then. */
  private readonly rereadImportedLinks = new Periodic(this.reported('reading imported links', () => this.importedLinks.refresh()), IMPORTED_LINKS_REFRESH_MS);
  /** Forgets what has outlived its use: expired idempotency keys, and log rows past their retention. */
  readonly keepTidy = new Periodic(async () => {
    await this.reported('forgetting expired idempotency keys', () => purgeExpiredIdempotencyKeys(this.store))();
    await this.reported('forgetting old log rows', () => forgetOldLogs(this.store, this.config.logRetentionDays))();
  }, HOUSEKEEPING_MS);
  /**
   * Where work no request waits for reports a failure: the server points it at its log. Each such
   * task is tried again, so a failure here loses nothing, but only this report shows it.
   */
  onBackgroundError: (task: string, error: unknown, context?: Record<string, unknown>) => void = () => {};
  /** Where a row the store refuses for good is reported, whole: the server's log is then its only record. */
  onSetAside: (what: string, row: unknown, error: unknown) => void = () => {};
  /** Where an email goes when no SMTP server is set: the server's log, so its link is never lost. */
  onEmailLogged: (email: Email) => void = () => {};

  private constructor(config: Config, store: Store, shared: SharedCounts | undefined, options: PlatformOptions) {
    this.config = config;
    this.store = store;
    this.redis = shared?.redis;
    this.rateLimits = new RateLimits(shared);
    this.tracker = new Tracker(
      store,
      {
        maxBatch: config.clickBatchRows,
        maxDelayMs: config.clickBatchMs,
        keep: { dir: path.join(config.dataDir, KEPT_TRAFFIC_DIR), maxRowsInMemory: config.trafficMemoryRows },
        sharedStore: store.kind === 'postgres',
      },
      shared,
    );
    this.shortLinks = new ShortLinkCache(store);
    this.importedLinks = new ImportedLinks(store);
    this.conversions = new ConversionPipeline(store, this.tracker.writer);
    this.syncOptions = { ...DEFAULT_SYNC_OPTIONS, ...options.hasOffersSync };
    this.deliveries = new DeliveryWorker(store, {
      ...DEFAULT_DELIVERY_OPTIONS,
      allowPrivateDestinations: config.postbackAllowPrivate,
      ...options.delivery,
    });
    this.tracker.onError = (task, error) => this.onBackgroundError(task, error);
    this.tracker.writer.onError = (error) => this.onBackgroundError('storing clicks and impressions', error, { waiting: this.tracker.writer.backlog });
    this.tracker.writer.onKept = (dir, rows, error) =>
      this.onBackgroundError('storing the clicks and impressions waiting at shutdown', error, { waiting: rows, keptIn: dir });
    this.tracker.writer.onSetAside = (row, error) => this.onSetAside('transactionId' in row ? 'a click' : 'an impression', row, error);
    this.deliveries.onError = (error) => this.onBackgroundError('delivering postbacks', error);
    this.mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom }, (email) => this.onEmailLogged(email));
  }

  /** Background work that reports its failure instead of rejecting: the next run tries again. */
  private reported(task: string, work: () => Promise<unknown>): () => Promise<void> {
    return () => work().then(
      () => undefined,
      (error: unknown) => this.onBackgroundError(task, error),
    );
  }

  static async start(config: Config, store: Store, options: PlatformOptions = {}): Promise<Platform> {
    const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 }) : undefined;
    if (redis) {
      redis.on('error', () => {});
      await redis.connect();
    }
    const platform = new Platform(config, store, redis ? { redis, prefix: sharedCountsPrefix(await storeId(store)) } : undefined, options);
    await platform.refreshSettings();
    platform.keptTrafficWritten = await platform.tracker.writer.writeKept();
    // An embedded store has one process: an import it shows as running was cut short by the last stop.
    if (store.kind !== 'postgres') await markInterruptedImports(store);
    await platform.importedLinks.refresh();
    platform.refreshTimer = setInterval(
      () => void platform.refreshSettings().catch((error) => platform.onBackgroundError('reading the network settings', error)),
      SETTINGS_REFRESH_MS,
    );
    platform.refreshTimer.unref();
    await platform.tracker.start();
    platform.deliveries.start();
    platform.approveHeld.start();
    platform.raiseAlerts.start();
    platform.keepTidy.start();
    platform.syncOut.start();
    platform.reconcileDaily.start();
    platform.rereadImportedLinks.start();
    return platform;
  }

  /**
   * Sends an email after the change it tells of has committed. A failure is reported, not thrown:
   * the change stands, and a new link can always be asked for (or printed by the CLI).
   */
  async sendEmail(email: Email): Promise<void> {
    await this.mailer.send(email).catch((error: unknown) => this.onBackgroundError(`sending the email "${email.subject}"`, error));
  }

  /** Begins importing a HasOffers network and answers at once; the import's record tells how it goes. */
  async startImport(request: ImportRequest): Promise<HasOffersImport> {
    const begun = await beginImport(this.store, request);
    const running: Promise<void> = runImport(this.store, begun.id, request, this.stopping.signal)
      .then(() => this.importedLinks.refresh())
      .catch((error: unknown) => this.onBackgroundError('importing a HasOffers network', error, { importId: begun.id }))
      .finally(() => this.imports.delete(running));
    this.imports.add(running);
    return begun;
  }

  /** After a write commits: the click path must see changed offers, partners or lists before the answer goes. */
  async afterWrite(): Promise<void> {
    await this.tracker.reloadIfChanged();
  }

  get maintenance(): boolean {
    return this.maintenanceOn;
  }

  async setMaintenance(on: boolean): Promise<void> {
    await setMaintenance(this.store, on);
    this.maintenanceOn = on;
  }

  private async refreshSettings(): Promise<void> {
    this.maintenanceOn = (await getNetwork(this.store)).maintenance;
  }

  /** Stops background work and writes every click still in memory. */
  async close(): Promise<void> {
    clearInterval(this.refreshTimer);
    this.stopping.abort();
    await Promise.all(this.imports);
    await this.rereadImportedLinks.stop();
    await this.approveHeld.stop();
    await this.raiseAlerts.stop();
    await this.keepTidy.stop();
    await this.syncOut.stop();
    await this.reconcileDaily.stop();
    await this.conversions.close();
    await this.deliveries.stop();
    await this.tracker.close();
    this.mailer.close();
    this.redis?.disconnect();
  }
}
