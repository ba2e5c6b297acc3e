import path from 'node:path';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  logLevel: LogLevel;
  demoNetwork: boolean;
  /** Trust X-Forwarded-For from every proxy (true) or from these addresses/subnets (comma-separated). */
  trustProxy: boolean | string;
  /** A header a trusted proxy sets with the visitor's country (e.g. CF-IPCountry); GeoIP otherwise. */
  countryHeader: string | undefined;
  /** Let postbacks reach private and loopback addresses (tests, private networks). */
  postbackAllowPrivate: boolean;
  clickBatchRows: number;
  clickBatchMs: number;
  /** Clicks and impressions that wait in memory while the store refuses writes; beyond, they wait on disk. */
  trafficMemoryRows: number;
  /** Days the logs of refused conversions and postback calls are kept; 0 keeps them for good. */
  logRetentionDays: number;
  /** The NetworkId HasOffers clients send; any other is refused. */
  hasOffersNetworkId: string;
}

/** Reads the process environment once; every other module takes a Config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: integerSetting(env, 'PORT', 8080),
    host: env.HOST || '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR || 'data'),
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    logLevel: logLevelSetting(env.LOG_LEVEL),
    demoNetwork: !isOff(env.DEMO_NETWORK),
    trustProxy: trustProxySetting(env.TRUST_PROXY),
    countryHeader: env.COUNTRY_HEADER?.toLowerCase() || undefined,
    postbackAllowPrivate: isOn(env.POSTBACK_ALLOW_PRIVATE),
    clickBatchRows: integerSetting(env, 'CLICK_BATCH_ROWS', 1000),
    clickBatchMs: integerSetting(env, 'CLICK_BATCH_MS', 10),
    trafficMemoryRows: integerSetting(env, 'TRAFFIC_MEMORY_ROWS', 100_000),
    logRetentionDays: integerSetting(env, 'LOG_RETENTION_DAYS', 90),
    hasOffersNetworkId: env.HASOFFERS_NETWORK_ID || 'partnerline',
  };
}

function isOff(value: string | undefined): boolean {
  return ['0', 'false', 'off', 'no'].includes((value ?? '').toLowerCase());
}

function isOn(value: string | undefined): boolean {
  return ['1', 'true', 'on', 'yes'].includes((value ?? '').toLowerCase());
}

function trustProxySetting(value: string | undefined): boolean | string {
  if (value === undefined || value === '' || isOff(value)) return false;
  return isOn(value) ? true : value;
}

function logLevelSetting(value: string | undefined): LogLevel {
  if (value === undefined || value === '') return 'info';
  const level = LOG_LEVELS.find((known) => known === value.toLowerCase());
  if (!level) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  return level;
}

function integerSetting(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}
