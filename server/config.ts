import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { DEFAULT_CALL_TIMEOUT_SECONDS } from './mandrill/client.js';
import { parseAllowList } from './sending/destination.js';
import { plainMessage } from './validation.js';

/** Every setting, read from `DELIVERABILITY_*` environment variables and validated once. */
export interface Config {
  port: number;
  host: string;
  /**
   * The server's address as Mandrill reaches it, for webhook signatures; no
   * trailing slash. Null: the address the server listens on.
   */
  publicUrl: string | null;
  databasePath: string;
  /** How long a write waits for another writer before the request fails with 503. */
  databaseBusyTimeoutMs: number;
  logLevel: string;
  /** DNS servers as `HOST:PORT`; empty means the system's resolvers. */
  dnsServers: string[];
  /** The platform relay for the default method, as an SMTP URL. */
  relayUrl: string;
  /** A PEM file of extra certificate authorities to trust for SMTP TLS, e.g. a private relay's. */
  smtpCaFile: string | null;
  platform: {
    fromAddress: string;
    fromName: string;
    envelopeDomain: string;
    /** The relay's envelope sender: `bounces@` the envelope domain. */
    envelopeFrom: string;
    relayIps: string[];
    dkimDomain: string;
    dkimSelector: string;
  };
  auth: {
    sessionHours: number;
    loginAttemptsPer15Minutes: number;
    domainChecksPerMinute: number;
    /** Mark the session cookie Secure even on plain HTTP, for a server behind a TLS proxy. */
    secureCookies: boolean;
  };
  secrets: {
    /** Key list `id:base64[,id:base64]`, the first encrypting; overrides the key files. */
    keys: string | null;
    keyFile: string | null;
    /** Created with a new key when neither of the above is set. */
    defaultKeyFile: string;
  };
  smtp: {
    /** Destinations exempt from the SMTP destination check: names, IPs and CIDR ranges. */
    allow: string;
    automatedPerHour: number;
    automatedPerDay: number;
  };
  /** Hours between re-checks of every account's domain. */
  domainRecheckHours: number;
  /** DNS blocklist zones queried for the sending IPs, e.g. zen.spamhaus.org. */
  dnsblZones: string[];
  /** The SMTP listener for the default method's bounces; off when `port` is null. */
  bounceSmtp: { host: string; port: number | null; maxBytes: number };
  /** Seconds between reads of the mailboxes of smtp accounts that have one, over IMAP. */
  mailboxPollSeconds: number;
  mandrill: {
    /** Base URL of the Mandrill API; only tests point it at a loopback stand-in. */
    baseUrl: string;
    pollIntervalSeconds: number;
    /** How far back the first poll of an account reaches. */
    initialLookbackHours: number;
    /** How long one Mandrill API call may take before it fails as timed out. */
    callTimeoutSeconds: number;
  };
}

const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

const schema = z.object({
  DELIVERABILITY_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DELIVERABILITY_HOST: z.string().min(1).default('127.0.0.1'),
  DELIVERABILITY_PUBLIC_URL: z.url('must be an http:// or https:// URL').optional(),
  DELIVERABILITY_DATABASE: z.string().min(1).default('data/deliverability.sqlite'),
  DELIVERABILITY_DATABASE_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  DELIVERABILITY_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
  DELIVERABILITY_DNS: list.default([]),
  DELIVERABILITY_RELAY_URL: z
    .string()
    .regex(
      /^smtps?:\/\/[^\s]+$/,
      'must be an smtp:// or smtps:// URL, e.g. smtp://relay.example:587',
    )
    .default('smtp://127.0.0.1:2525'),
  DELIVERABILITY_SMTP_CA_FILE: z.string().min(1).optional(),
  DELIVERABILITY_PLATFORM_FROM: z.email().default('notifications@mail.platform.example'),
  DELIVERABILITY_PLATFORM_FROM_NAME: z.string().default('Platform Notifications'),
  DELIVERABILITY_PLATFORM_ENVELOPE_DOMAIN: z.string().optional(),
  DELIVERABILITY_PLATFORM_RELAY_IPS: list
    .pipe(
      z.array(
        z
          .string()
          .refine(
            (ip) => ipaddr.isValid(ip),
            'must list IP addresses, e.g. 192.0.2.10,2001:db8::10',
          ),
      ),
    )
    .default([]),
  DELIVERABILITY_PLATFORM_DKIM_DOMAIN: z.string().optional(),
  DELIVERABILITY_PLATFORM_DKIM_SELECTOR: z.string().min(1).default('platform'),
  DELIVERABILITY_SESSION_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 30)
    .default(12),
  DELIVERABILITY_LOGIN_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  DELIVERABILITY_DOMAIN_CHECKS_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  DELIVERABILITY_SECURE_COOKIES: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false'),
  DELIVERABILITY_SECRET_KEYS: z.string().optional(),
  DELIVERABILITY_SECRET_KEY_FILE: z.string().optional(),
  DELIVERABILITY_SMTP_ALLOW: z
    .string()
    .default('')
    .superRefine((value, ctx) => {
      try {
        parseAllowList(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  DELIVERABILITY_SMTP_AUTOMATED_PER_HOUR: z.coerce.number().int().min(0).default(100),
  DELIVERABILITY_SMTP_AUTOMATED_PER_DAY: z.coerce.number().int().min(0).default(1000),
  DELIVERABILITY_DNSBL_ZONES: list.default([]),
  DELIVERABILITY_DOMAIN_RECHECK_HOURS: z.coerce
    .number()
    .min(0.1)
    .max(24 * 30)
    .default(24),
  DELIVERABILITY_BOUNCE_SMTP_PORT: z.coerce
    .number()
    .int()
    .min(0, 'must be a port number from 0 to 65535')
    .max(65535, 'must be a port number from 0 to 65535')
    .optional(),
  DELIVERABILITY_BOUNCE_SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  DELIVERABILITY_BOUNCE_MAX_MB: z.coerce.number().min(1).max(100).default(10),
  DELIVERABILITY_MAILBOX_POLL_SECONDS: z.coerce
    .number({ error: 'must be a whole number of seconds from 30 to 86400' })
    .int('must be a whole number of seconds from 30 to 86400')
    .min(30, 'must be a whole number of seconds from 30 to 86400')
    .max(86_400, 'must be a whole number of seconds from 30 to 86400')
    .default(300),
  DELIVERABILITY_MANDRILL_BASE_URL: z.url().default('https://mandrillapp.com/api/1.3'),
  DELIVERABILITY_MANDRILL_POLL_SECONDS: z.coerce.number().int().min(5).default(300),
  DELIVERABILITY_MANDRILL_LOOKBACK_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(72),
  // At most 300 s, because the official client's own timeout of 300 s would end the call first.
  DELIVERABILITY_MANDRILL_TIMEOUT_SECONDS: z.coerce
    .number({ error: 'must be a whole number of seconds from 1 to 300' })
    .int('must be a whole number of seconds from 1 to 300')
    .min(1, 'must be a whole number of seconds from 1 to 300')
    .max(300, 'must be a whole number of seconds from 1 to 300')
    .default(DEFAULT_CALL_TIMEOUT_SECONDS),
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads and validates the configuration. Throws a ConfigError that names each
 * invalid variable, its value and the expected form.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  // An empty variable, as `.env.example` leaves them, means "use the default".
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${name}=${JSON.stringify(env[name] ?? '')}: ${plainMessage(issue, env[name])}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const platformDomain = e.DELIVERABILITY_PLATFORM_FROM.split('@')[1] ?? '';
  const envelopeDomain = e.DELIVERABILITY_PLATFORM_ENVELOPE_DOMAIN ?? platformDomain;
  return {
    port: e.DELIVERABILITY_PORT,
    host: e.DELIVERABILITY_HOST,
    publicUrl: e.DELIVERABILITY_PUBLIC_URL?.replace(/\/+$/, '') ?? null,
    databasePath: path.resolve(cwd, e.DELIVERABILITY_DATABASE),
    databaseBusyTimeoutMs: e.DELIVERABILITY_DATABASE_BUSY_TIMEOUT_MS,
    logLevel: e.DELIVERABILITY_LOG_LEVEL,
    dnsServers: e.DELIVERABILITY_DNS,
    relayUrl: e.DELIVERABILITY_RELAY_URL,
    smtpCaFile: e.DELIVERABILITY_SMTP_CA_FILE
      ? path.resolve(cwd, e.DELIVERABILITY_SMTP_CA_FILE)
      : null,
    platform: {
      fromAddress: e.DELIVERABILITY_PLATFORM_FROM,
      fromName: e.DELIVERABILITY_PLATFORM_FROM_NAME,
      envelopeDomain,
      envelopeFrom: `bounces@${envelopeDomain}`,
      relayIps: e.DELIVERABILITY_PLATFORM_RELAY_IPS,
      dkimDomain: e.DELIVERABILITY_PLATFORM_DKIM_DOMAIN ?? platformDomain,
      dkimSelector: e.DELIVERABILITY_PLATFORM_DKIM_SELECTOR,
    },
    auth: {
      sessionHours: e.DELIVERABILITY_SESSION_HOURS,
      loginAttemptsPer15Minutes: e.DELIVERABILITY_LOGIN_ATTEMPTS,
      domainChecksPerMinute: e.DELIVERABILITY_DOMAIN_CHECKS_PER_MINUTE,
      secureCookies: e.DELIVERABILITY_SECURE_COOKIES === 'true',
    },
    secrets: {
      keys: e.DELIVERABILITY_SECRET_KEYS ?? null,
      keyFile: e.DELIVERABILITY_SECRET_KEY_FILE
        ? path.resolve(cwd, e.DELIVERABILITY_SECRET_KEY_FILE)
        : null,
      defaultKeyFile: path.join(
        path.dirname(path.resolve(cwd, e.DELIVERABILITY_DATABASE)),
        'secret.key',
      ),
    },
    smtp: {
      allow: e.DELIVERABILITY_SMTP_ALLOW,
      automatedPerHour: e.DELIVERABILITY_SMTP_AUTOMATED_PER_HOUR,
      automatedPerDay: e.DELIVERABILITY_SMTP_AUTOMATED_PER_DAY,
    },
    domainRecheckHours: e.DELIVERABILITY_DOMAIN_RECHECK_HOURS,
    dnsblZones: e.DELIVERABILITY_DNSBL_ZONES,
    bounceSmtp: {
      host: e.DELIVERABILITY_BOUNCE_SMTP_HOST,
      port: e.DELIVERABILITY_BOUNCE_SMTP_PORT ?? null,
      maxBytes: Math.round(e.DELIVERABILITY_BOUNCE_MAX_MB * 1024 * 1024),
    },
    mailboxPollSeconds: e.DELIVERABILITY_MAILBOX_POLL_SECONDS,
    mandrill: {
      baseUrl: e.DELIVERABILITY_MANDRILL_BASE_URL.replace(/\/+$/, ''),
      pollIntervalSeconds: e.DELIVERABILITY_MANDRILL_POLL_SECONDS,
      initialLookbackHours: e.DELIVERABILITY_MANDRILL_LOOKBACK_HOURS,
      callTimeoutSeconds: e.DELIVERABILITY_MANDRILL_TIMEOUT_SECONDS,
    },
  };
}
