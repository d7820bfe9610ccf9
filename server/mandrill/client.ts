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
  setDefaultTimeoutMs(ms: number): void;
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
  ) {
    super(message);
  }
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
  );
}

/**
 * Builds the API on the official client (@mailchimp/mailchimp_transactional),
 * which returns errors instead of throwing them; this wrapper throws
 * MandrillApiError. `baseUrl` replaces the client's `basePath`.
 */
export function createMandrillApi(options: { baseUrl: string; timeoutMs?: number }): MandrillApi {
  const factory = require('@mailchimp/mailchimp_transactional') as ClientFactory;
  const clientFor = (apiKey: string): OfficialClient => {
    const client = factory(apiKey);
    client.basePath = options.baseUrl;
    // The official client's timeout is module-wide (300 s by default).
    client.setDefaultTimeoutMs(options.timeoutMs ?? 30_000);
    return client;
  };
  // The official client hands back a body that is not JSON as a string, so each call checks
  // the shape it expects before the caller trusts it.
  const call = async <T>(
    method: string,
    request: Promise<unknown>,
    valid: (value: unknown) => boolean,
  ): Promise<T> => {
    const result = await request;
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
        'messages/send',
        clientFor(apiKey).messages.send({ message }),
        isArray,
      ),
    search: (apiKey, query) =>
      call<MandrillMessageInfo[]>(
        'messages/search',
        clientFor(apiKey).messages.search({ ...query }),
        isArray,
      ),
    info: (apiKey, id) =>
      call<MandrillMessageInfo>('messages/info', clientFor(apiKey).messages.info({ id }), isObject),
    // users/ping returns the bare JSON string "PONG!", so a string is valid here.
    ping: (apiKey) => call<string>('users/ping', clientFor(apiKey).users.ping({}), isString),
    sendersDomains: (apiKey) =>
      call<MandrillSenderDomain[]>(
        'senders/domains',
        clientFor(apiKey).senders.domains({}),
        isArray,
      ),
    rejectsList: (apiKey, query = {}) =>
      call<MandrillReject[]>('rejects/list', clientFor(apiKey).rejects.list({ ...query }), isArray),
  };
}
