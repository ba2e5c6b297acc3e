import { readFileSync } from 'node:fs';
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
  /** A certificate and its key (PEM): Partnerline then speaks HTTPS itself, TLS 1.3 only. */
  tls: { cert: Buffer; key: Buffer } | undefined;
  /** Where emails go out (smtp:// or smtps://); without it, emails and their links are written to the log. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** The address people reach the portal at, for the links in emails. */
  publicUrl: string;
}

/** Reads the process environment once; every other module takes a Config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: portSetting(env.PORT),
    host: env.HOST || '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR || 'data'),
    databaseUrl: urlSetting('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:'], 'postgres://user:password@host:5432/database'),
    redisUrl: urlSetting('REDIS_URL', env.REDIS_URL, ['redis:', 'rediss:'], 'redis://host:6379'),
    logLevel: logLevelSetting(env.LOG_LEVEL),
    demoNetwork: switchSetting('DEMO_NETWORK', env.DEMO_NETWORK, true),
    trustProxy: trustProxySetting(env.TRUST_PROXY),
    countryHeader: env.COUNTRY_HEADER?.toLowerCase() || undefined,
    postbackAllowPrivate: switchSetting('POSTBACK_ALLOW_PRIVATE', env.POSTBACK_ALLOW_PRIVATE, false),
    clickBatchRows: integerSetting(env, 'CLICK_BATCH_ROWS', 1000),
    clickBatchMs: integerSetting(env, 'CLICK_BATCH_MS', 10),
    trafficMemoryRows: integerSetting(env, 'TRAFFIC_MEMORY_ROWS', 100_000),
    logRetentionDays: integerSetting(env, 'LOG_RETENTION_DAYS', 90),
    hasOffersNetworkId: env.HASOFFERS_NETWORK_ID || 'partnerline',
    tls: tlsSetting(env.TLS_CERT_FILE, env.TLS_KEY_FILE),
    smtpUrl: urlSetting('SMTP_URL', env.SMTP_URL, ['smtp:', 'smtps:'], 'smtp://user:password@host:587'),
    mailFrom: env.MAIL_FROM || 'Partnerline <no-reply@partnerline.invalid>',
    publicUrl: publicUrlSetting(env),
  };
}

/** PUBLIC_URL as given (without a trailing slash), else this server's own address. */
function publicUrlSetting(env: NodeJS.ProcessEnv): string {
  const given = urlSetting('PUBLIC_URL', env.PUBLIC_URL, ['http:', 'https:'], 'https://partners.example.com');
  if (given) return given.replace(/\/+$/, '');
  return `${env.TLS_CERT_FILE ? 'https' : 'http'}://localhost:${portSetting(env.PORT)}`;
}

function isOff(value: string | undefined): boolean {
  return ['0', 'false', 'off', 'no'].includes((value ?? '').toLowerCase());
}

function isOn(value: string | undefined): boolean {
  return ['1', 'true', 'on', 'yes'].includes((value ?? '').toLowerCase());
}

/** An on/off setting: a word it does not know is a mistake to name, never quietly off. */
function switchSetting(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (isOn(value)) return true;
  if (isOff(value)) return false;
  throw new Error(`${name} must be on or off (true/false, 1/0, yes/no), got "${value}"`);
}

function portSetting(value: string | undefined): number {
  if (value === undefined || value === '') return 8080;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new Error(`PORT must be a port number from 0 to 65535, got "${value}"`);
  return port;
}

/** A URL of one of the schemes a setting takes; the message shows the scheme given, never a password. */
function urlSetting(name: string, value: string | undefined, schemes: string[], example: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const scheme = URL.canParse(value) ? new URL(value).protocol : undefined;
  if (!scheme || !schemes.includes(scheme)) {
    throw new Error(`${name} must be a URL like ${example}${scheme ? `, not a ${scheme.slice(0, -1)} URL` : ''}`);
  }
  return value;
}

/** Both files or neither: a certificate without its key (or the other way) is a mistake to name. */
function tlsSetting(certFile: string | undefined, keyFile: string | undefined): Config['tls'] {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new Error('TLS_CERT_FILE and TLS_KEY_FILE go together: set both to serve HTTPS, or neither');
  const read = (name: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new Error(`${name} cannot be read: ${(error as Error).message}`);
    }
  };
  return { cert: read('TLS_CERT_FILE', certFile), key: read('TLS_KEY_FILE', keyFile) };
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
