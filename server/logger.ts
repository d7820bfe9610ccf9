import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Paths of values that must never reach a log line: account secrets and the
 * Mandrill client's request body, which carries the API key.
 */
const REDACTED_PATHS = [
  '*.password',
  '*.apiKey',
  '*.webhookKey',
  '*.key',
  '*.settings.password',
  '*.settings.apiKey',
  '*.mailboxPassword',
  '*.settings.mailboxPassword',
  'config.data',
  'err.config',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}

/** Creates a logger that drops everything, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
