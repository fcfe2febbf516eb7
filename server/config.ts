import { isIP } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cron } from 'croner';
import { z } from 'zod';
import { DEMO_DEFAULTS } from '../data/generator/generate.ts';
import { DEFAULT_BATCH_ROWS } from '../lab/history/history.ts';

/** The repository (or image) root: paths in the config default relative to it. */
export const ROOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function isCronPattern(pattern: string): boolean {
  try {
    new Cron(pattern, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const positiveInt = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a whole number` })
    .int(`${name} must be a whole number`)
    .positive(`${name} must be positive`);

/**
 * Every environment variable Vitals reads, with its default. The README's configuration table
 * is this list; keep them together.
 */
export const envSchema = z.object({
  DATA_DIR: z.string().min(1).default('./data/demo'),
  STATE_DIR: z.string().min(1).default('./state'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce
    .number({ error: 'PORT must be a number' })
    .int('PORT must be a whole number')
    .min(0, 'PORT must be between 0 and 65535')
    .max(65535, 'PORT must be between 0 and 65535')
    .default(8080),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  WEB_DIR: z
    .string()
    .min(1)
    .default(path.join(ROOT_DIR, 'dist', 'web')),
  SCORE_CRON: z
    .string()
    .min(1)
    .default('0 2 * * *')
    .refine(isCronPattern, 'SCORE_CRON must be a cron pattern such as "0 2 * * *"'),
  SCORE_ON_START: z
    .enum(['true', 'false'], { error: 'SCORE_ON_START must be true or false' })
    .default('true'),
  SCORE_BATCH_ROWS: positiveInt('SCORE_BATCH_ROWS').default(DEFAULT_BATCH_ROWS),
  DEMO_ACCOUNTS: positiveInt('DEMO_ACCOUNTS').default(5000),
  DEMO_DAYS: positiveInt('DEMO_DAYS').default(DEMO_DEFAULTS.days),
  DEMO_SEED: z.coerce.number().int('DEMO_SEED must be a whole number').default(42),
  VITALS_ADMIN_USER: z.string().min(1).optional(),
  VITALS_ADMIN_PASSWORD: z.string().min(1).optional(),
  COOKIE_SECURE: z
    .enum(['true', 'false'], { error: 'COOKIE_SECURE must be true or false' })
    .default('false'),
  TRUSTED_PROXY_AUTH_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,100}$/, 'TRUSTED_PROXY_AUTH_HEADER must be an HTTP header name')
    .optional(),
  TRUST_PROXY: z
    .string()
    .refine(
      (value) => parseTrustProxy(value) !== null,
      'TRUST_PROXY must be false, true, or proxy addresses (IPs or CIDR ranges) separated by commas',
    )
    .default('false'),
  SESSION_TTL_HOURS: positiveInt('SESSION_TTL_HOURS').default(12),
  SESSION_IDLE_MINUTES: positiveInt('SESSION_IDLE_MINUTES').default(60),
});

/**
 * Which proxies' X-Forwarded-For to believe, in the form Fastify's `trustProxy` takes: false
 * (none: the client is the peer), true (any peer: only when nothing but the proxy can reach
 * Vitals), or proxy addresses and CIDR ranges. Null when the text is none of these.
 */
export function parseTrustProxy(value: string): boolean | string[] | null {
  const text = value.trim();
  if (text === 'false') return false;
  if (text === 'true') return true;
  const entries = text.split(',').map((entry) => entry.trim());
  const valid = entries.every((entry) => {
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return false;
    if (prefix === undefined) return true;
    return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
  });
  return valid ? entries : null;
}

export interface Config {
  dataDir: string;
  stateDir: string;
  host: string;
  port: number;
  logLevel: (typeof LOG_LEVELS)[number];
  webDir: string;
  /** When production scores are computed (cron, UTC). */
  scoreCron: string;
  /** Whether start-up scores the latest data date (and backfills history) when missing. */
  scoreOnStart: boolean;
  /** Score rows (accounts × dates) computed and committed together in a backfill. */
  scoreBatchRows: number;
  demo: { accounts: number; days: number; seed: number };
  auth: AuthConfig;
  /** Proxies whose X-Forwarded-For names the client (for per-address limits and the audit log). */
  trustProxy: boolean | string[];
}

export interface AuthConfig {
  /** The first admin, created only while there are no users at all. */
  adminUser?: string;
  adminPassword?: string;
  /** Marks the session cookie Secure even when the request itself arrived over plain HTTP. */
  cookieSecure: boolean;
  /** Lower-cased name of the header a trusted reverse proxy puts the signed-in username in. */
  trustedProxyAuthHeader: string | null;
  sessionTtlHours: number;
  sessionIdleMinutes: number;
}

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Parses the environment once at start-up. Unset and empty variables take their defaults; every
 * problem is reported at once, naming the variable.
 */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(
    Object.keys(envSchema.shape)
      .map((key) => [key, env[key]])
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const values = parsed.data;
  // Relative paths are taken from the working directory, as a shell user expects.
  const resolve = (value: string) => path.resolve(value);
  return {
    dataDir: resolve(values.DATA_DIR),
    stateDir: resolve(values.STATE_DIR),
    host: values.HOST,
    port: values.PORT,
    logLevel: values.LOG_LEVEL,
    webDir: resolve(values.WEB_DIR),
    scoreCron: values.SCORE_CRON,
    scoreOnStart: values.SCORE_ON_START === 'true',
    scoreBatchRows: values.SCORE_BATCH_ROWS,
    demo: { accounts: values.DEMO_ACCOUNTS, days: values.DEMO_DAYS, seed: values.DEMO_SEED },
    trustProxy: parseTrustProxy(values.TRUST_PROXY) ?? false,
    auth: {
      adminUser: values.VITALS_ADMIN_USER,
      adminPassword: values.VITALS_ADMIN_PASSWORD,
      cookieSecure: values.COOKIE_SECURE === 'true',
      trustedProxyAuthHeader: values.TRUSTED_PROXY_AUTH_HEADER?.toLowerCase() ?? null,
      sessionTtlHours: values.SESSION_TTL_HOURS,
      sessionIdleMinutes: values.SESSION_IDLE_MINUTES,
    },
  };
}
