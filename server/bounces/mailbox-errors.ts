import { AppError } from '../errors.js';

/** The place of a failed mailbox read, for the error message. */
export interface MailboxErrorContext {
  host: string;
  port: number;
  user: string;
  folder: string;
  /** The mailbox password, removed from any message that would quote it. */
  password: string;
}

/** An error of opening the configured folder, raised with the folders the server lists. */
export class FolderOpenError extends Error {
  constructor(
    readonly folder: string,
    readonly serverText: string,
    readonly available: string[],
  ) {
    super(`opening folder ${folder} failed`);
    this.name = 'FolderOpenError';
  }
}

/** The fields of the errors that imapflow 2.10 and Node's socket and TLS layers raise. */
interface ImapErrorFields {
  code?: string;
  authenticationFailed?: boolean;
  responseText?: string;
  serverResponseCode?: string;
}

/** Codes of Node's socket layer for a server that cannot be reached. */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
]);

/**
 * Describes a failed mailbox read in one sentence: what failed and what to check.
 * The password never appears in it, even where a server or library quotes it.
 */
export function describeMailboxError(error: unknown, context: MailboxErrorContext): string {
  return redact(describe(error, context), context.password);
}

function describe(error: unknown, context: MailboxErrorContext): string {
  const server = `${context.host}:${context.port}`;
  if (error instanceof AppError) return error.message;
  if (error instanceof FolderOpenError) {
    const listed = error.available.length > 0 ? error.available.join(', ') : 'none';
    return (
      `The folder "${error.folder}" could not be opened on ${server} ` +
      `(${error.serverText || 'no reason given'}). Check settings.mailbox.folder; ` +
      `the server lists these folders: ${listed}.`
    );
  }
  const fields = (error ?? {}) as ImapErrorFields;
  const message = error instanceof Error ? error.message : String(error);
  if (fields.authenticationFailed) {
    const reason = fields.responseText || message;
    return (
      `The IMAP server ${server} rejected the login of "${context.user}" (${reason}). ` +
      'Check settings.mailbox.user and settings.mailboxPassword.'
    );
  }
  if (fields.code && CONNECT_CODES.has(fields.code)) {
    return (
      `Connecting to the IMAP server ${server} failed (${fields.code}). ` +
      'Check settings.mailbox.host and settings.mailbox.port, and that the server is running.'
    );
  }
  if (fields.code && /CERT|TLS|SSL|SELF_SIGNED|HOSTNAME|ERR_SSL/i.test(fields.code)) {
    return (
      `The TLS connection to the IMAP server ${server} failed (${fields.code}: ${message}). ` +
      'Check settings.mailbox.security and that the server has a valid certificate for the host.'
    );
  }
  const code = fields.code ? ` (${fields.code})` : '';
  const serverText = fields.responseText ? `: ${fields.responseText}` : '';
  return `Reading the mailbox on ${server} failed${code}: ${message}${serverText}`;
}

function redact(text: string, password: string): string {
  return password ? text.split(password).join('****') : text;
}
