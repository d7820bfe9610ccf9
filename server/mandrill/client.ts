import { createRequire } from 'node:module';
import type {
  MandrillMessage,
  MandrillMessageInfo,
  MandrillReject,
  MandrillRejectsQuery,
  MandrillSearchQuery,
  MandrillSendResult,
  MandrillSenderDomain,
} from './types.js';

const require = createRequire(import.meta.url);

interface OfficialClient {
  basePath: string;
  /** The axios request config that version 1.4.1 passes to every request of this instance. */
  requestConfig: Record<string, unknown>;
  messages: {
    send(body: object): Promise<unknown>;
    search(body: object): Promise<unknown>;
    info(body: object): Promise<unknown>;
  };
  users: { ping(body?: object): Promise<unknown> };
  senders: { domains(body: object): Promise<unknown> };
  rejects: { list(body: object): Promise<unknown> };
}

type ClientFactory = (apiKey: string) => OfficialClient;

/**
 * A Mandrill API error. `errorName` is Mandrill's (`Invalid_Key`,
 * `ValidationError`, `Unknown_Message`, `ServiceUnavailable`, ...) or
 * `NetworkError`. It never carries the request, which holds the API key.
 */
export class MandrillApiError extends Error {
  override name = 'MandrillApiError';
  constructor(
    readonly errorName: string,
    message: string,
    readonly status?: number,
    /** The wait a `Retry-After` header asked for, in milliseconds. */
    readonly retryAfterMs?: number,
    /** For a NetworkError, the system error code, such as ECONNREFUSED or ETIMEDOUT. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * System error codes that mean a request never reached Mandrill: the connection or the name
 * lookup failed. After any other network error, Mandrill may have carried the call out.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Whether Mandrill may have carried out a call that failed with `error`. */
export function mayHaveReachedMandrill(error: MandrillApiError): boolean {
  if (error.errorName !== 'NetworkError') return true;
  return error.code === undefined || !NOT_SENT_CODES.has(error.code);
}

/** The calls this product makes; services depend on this, not on the official client. */
export interface MandrillApi {
  send(apiKey: string, message: MandrillMessage): Promise<MandrillSendResult[]>;
  search(apiKey: string, query: MandrillSearchQuery): Promise<MandrillMessageInfo[]>;
  info(apiKey: string, id: string): Promise<MandrillMessageInfo>;
  ping(apiKey: string): Promise<string>;
  /** The account's sender domains with their SPF, DKIM and verification status. */
  sendersDomains(apiKey: string): Promise<MandrillSenderDomain[]>;
  /** The account's rejection denylist (at most 1000 entries, Mandrill's limit). */
  rejectsList(apiKey: string, query?: MandrillRejectsQuery): Promise<MandrillReject[]>;
}

interface AxiosLikeError extends Error {
  code?: string;
  response?: {
    status?: number;
    headers?: Record<string, unknown>;
    data?: { name?: string; message?: string } | string;
  };
}

function retryAfterMs(headers: Record<string, unknown> | undefined): number | undefined {
  const value = headers?.['retry-after'];
  const seconds = typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function toApiError(error: AxiosLikeError): MandrillApiError {
  const data = error.response?.data;
  const status = error.response?.status;
  const retryAfter = retryAfterMs(error.response?.headers);
  if (data && typeof data === 'object' && data.name) {
    return new MandrillApiError(data.name, data.message ?? data.name, status, retryAfter);
  }
  if (status) {
    return new MandrillApiError(
      'HttpError',
      `Mandrill answered HTTP ${status}`,
      status,
      retryAfter,
    );
  }
  return new MandrillApiError(
    'NetworkError',
    `Could not reach Mandrill: ${error.code ?? error.message}`,
    undefined,
    undefined,
    error.code,
  );
}

/**
 * The default deadline of one Mandrill call, in seconds.
 * NOTE: none of Mandrill's documentation read for this states a response time for its calls, so
 * 30 s is a judgement rather than a documented bound. It is a tenth of the official client's
 * 300 s. A search that stalls on all 5 attempts of DEFAULT_RETRY takes at most 180 s (30 s each,
 * plus at most 30 s of backoff), which ends the run within the default poll interval of 300 s.
 */
export const DEFAULT_CALL_TIMEOUT_SECONDS = 30;

/**
 * Runs one call with a deadline. Past `timeoutMs` the call rejects with a NetworkError, which the
 * poller's retry treats as transient, and `signal` aborts the request.
 * NOTE: the abort reaches the request only because version 1.4.1 of the official client passes
 * the instance's `requestConfig` to axios. A version that stopped doing so would leave a
 * timed-out request running in the background until its module-wide 300 s timeout. Either way,
 * Mandrill may still accept a messages/send whose call timed out.
 */
async function withDeadline(
  method: string,
  timeoutMs: number,
  start: (signal: AbortSignal) => Promise<unknown>,
): Promise<unknown> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const seconds = timeoutMs / 1000;
      const message = `Mandrill ${method} timed out after ${seconds} s`;
      reject(new MandrillApiError('NetworkError', message, undefined, undefined, 'ETIMEDOUT'));
      controller.abort();
    }, timeoutMs);
  });
  try {
    return await Promise.race([start(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Builds the API on the official client (@mailchimp/mailchimp_transactional),
 * which returns errors instead of throwing them; this wrapper throws
 * MandrillApiError. `baseUrl` replaces the client's `basePath`. Each call
 * fails as timed out after `timeoutMs` (default DEFAULT_CALL_TIMEOUT_SECONDS),
 * because the official client's own timeout is module-wide and cannot be set
 * per call.
 */
export function createMandrillApi(options: { baseUrl: string; timeoutMs?: number }): MandrillApi {
  const factory = require('@mailchimp/mailchimp_transactional') as ClientFactory;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_SECONDS * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`Mandrill call timeout must be a positive number of ms, not ${timeoutMs}`);
  }
  // One instance per call, so the request config that carries the abort signal is per call too.
  const clientFor = (apiKey: string, signal: AbortSignal): OfficialClient => {
    const client = factory(apiKey);
    client.basePath = options.baseUrl;
    client.requestConfig = { ...client.requestConfig, signal };
    return client;
  };
  // The official client hands back a body that is not JSON as a string, so each call checks
  // the shape it expects before the caller trusts it.
  const call = async <T>(
    apiKey: string,
    method: string,
    request: (client: OfficialClient) => Promise<unknown>,
    valid: (value: unknown) => boolean,
  ): Promise<T> => {
    const result = await withDeadline(method, timeoutMs, (signal) =>
      request(clientFor(apiKey, signal)),
    );
    if (result instanceof Error) throw toApiError(result as AxiosLikeError);
    if (!valid(result)) {
      throw new MandrillApiError(
        'InvalidResponse',
        `Mandrill returned a ${typeof result} that is not a valid ${method} response`,
      );
    }
    return result as T;
  };
  const isArray = (value: unknown) => Array.isArray(value);
  const isObject = (value: unknown) =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  const isString = (value: unknown) => typeof value === 'string';

  return {
    send: (apiKey, message) =>
      call<MandrillSendResult[]>(
        apiKey,
        'messages/send',
        (client) => client.messages.send({ message }),
        isArray,
      ),
    search: (apiKey, query) =>
      call<MandrillMessageInfo[]>(
        apiKey,
        'messages/search',
        (client) => client.messages.search({ ...query }),
        isArray,
      ),
    info: (apiKey, id) =>
      call<MandrillMessageInfo>(
        apiKey,
        'messages/info',
        (client) => client.messages.info({ id }),
        isObject,
      ),
    // users/ping returns the bare JSON string "PONG!", so a string is valid here.
    ping: (apiKey) =>
      call<string>(apiKey, 'users/ping', (client) => client.users.ping({}), isString),
    sendersDomains: (apiKey) =>
      call<MandrillSenderDomain[]>(
        apiKey,
        'senders/domains',
        (client) => client.senders.domains({}),
        isArray,
      ),
    rejectsList: (apiKey, query = {}) =>
      call<MandrillReject[]>(
        apiKey,
        'rejects/list',
        (client) => client.rejects.list({ ...query }),
        isArray,
      ),
  };
}
