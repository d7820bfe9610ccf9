import type {
  AccountSummary,
  BounceView,
  DomainCheck,
  RejectsResponse,
  SenderDomainsResponse,
  SeriesBucket,
  SeriesReport,
  SummaryReport,
} from './types.js';

/** A failed API request, carrying the message to show the user. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details?: unknown,
    /** Seconds to wait before retrying, from a 429's Retry-After header, or null. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

export interface RequestOptions {
  /** Sent as the JSON request body. */
  body?: unknown;
  signal?: AbortSignal;
}

let sessionEndedListener: (() => void) | null = null;

/**
 * Registers the function that getJson calls when a data request returns 401, which means the
 * session expired or was logged out elsewhere. It runs before getJson rejects.
 */
export function onSessionEnded(listener: () => void): void {
  sessionEndedListener = listener;
}

/** Fetches a data route's JSON with GET, and reports a 401 to the onSessionEnded listener. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  try {
    return (await requestJson('GET', path, { signal })) as T;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) sessionEndedListener?.();
    throw error;
  }
}

/**
 * Sends a same-origin request and parses its JSON body, or returns undefined for a 204. Throws
 * ApiError with the server's `error.message` for a 4xx/5xx status, and with a plain description
 * for network failures and non-JSON bodies.
 */
export async function requestJson(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<unknown> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const message = 'Could not reach the server. Check the connection and try again.';
    throw new ApiError(message, 0, 'network');
  }
  if (response.status === 204) return undefined;
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError(
      `The server returned an invalid response (HTTP ${response.status}).`,
      response.status,
      'invalid_response',
    );
  }
  if (!response.ok) throw errorFromResponse(body, response);
  return body;
}

function errorFromResponse(body: unknown, response: Response): ApiError {
  const { status } = response;
  const error = (body as ErrorBody | null)?.error;
  const message =
    typeof error?.message === 'string' && error.message !== ''
      ? error.message
      : `The request failed (HTTP ${status}).`;
  const code = typeof error?.code === 'string' ? error.code : 'http_error';
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
  return new ApiError(message, status, code, error?.details, retryAfter);
}

/** Parses a Retry-After header, which RFC 9110 allows as seconds or as an HTTP date. */
function parseRetryAfter(header: string | null): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** Returns the message to show for any error thrown by the fetch helpers. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message !== '') return error.message;
  return 'Something went wrong. Try again.';
}

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** Fetches the totals of the period in `period`: `days`, or `from` and `to`. */
export function fetchSummary(
  period: URLSearchParams,
  signal?: AbortSignal,
): Promise<SummaryReport> {
  return getJson(`/api/reports/summary?${period.toString()}`, signal);
}

/** Fetches the trend series of `period`, in `bucket`s, or in the server's default for the period. */
export function fetchSeries(
  period: URLSearchParams,
  bucket: SeriesBucket | null,
  signal?: AbortSignal,
): Promise<SeriesReport> {
  const query = new URLSearchParams(period);
  if (bucket !== null) query.set('bucket', bucket);
  return getJson(`/api/reports/series?${query.toString()}`, signal);
}

export function fetchDomainCheck(
  domain: string,
  smtpHost: string | null,
  signal?: AbortSignal,
): Promise<DomainCheck> {
  const query = smtpHost ? `?${new URLSearchParams({ smtpHost }).toString()}` : '';
  return getJson(`/api/domains/${encodeURIComponent(domain)}/check${query}`, signal);
}

export function fetchAccounts(signal?: AbortSignal): Promise<{ accounts: AccountSummary[] }> {
  return getJson('/api/accounts', signal);
}

export function fetchSenderDomains(
  accountId: number,
  signal?: AbortSignal,
): Promise<SenderDomainsResponse> {
  return getJson(`/api/accounts/${accountId}/mandrill/sender-domains`, signal);
}

export function fetchMandrillStatus(
  accountId: number,
  signal?: AbortSignal,
): Promise<{ state: string; message: string }> {
  return getJson(`/api/accounts/${accountId}/mandrill/status`, signal);
}

export function fetchRejects(
  accountId: number,
  email: string,
  signal?: AbortSignal,
): Promise<RejectsResponse> {
  const query = email ? `?${new URLSearchParams({ email }).toString()}` : '';
  return getJson(`/api/accounts/${accountId}/mandrill/rejects${query}`, signal);
}

export function fetchBounces(
  unmatchedOnly: boolean,
  signal?: AbortSignal,
): Promise<{ bounces: BounceView[] }> {
  return getJson(`/api/bounces?limit=100${unmatchedOnly ? '&unmatched=true' : ''}`, signal);
}
