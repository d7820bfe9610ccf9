import type {
  DomainCheck,
  SendsResponse,
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
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

/**
 * Fetches `path` and parses its JSON body. Throws ApiError with the server's `error.message`
 * for a 4xx/5xx status, and with a plain description for network failures and non-JSON bodies.
 */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { Accept: 'application/json' }, signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    const message = 'Could not reach the server. Check the connection and try again.';
    throw new ApiError(message, 0, 'network');
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(
      `The server returned an invalid response (HTTP ${response.status}).`,
      response.status,
      'invalid_response',
    );
  }
  if (!response.ok) throw errorFromBody(body, response.status);
  return body as T;
}

function errorFromBody(body: unknown, status: number): ApiError {
  const error = (body as ErrorBody | null)?.error;
  const message =
    typeof error?.message === 'string' && error.message !== ''
      ? error.message
      : `The request failed (HTTP ${status}).`;
  const code = typeof error?.code === 'string' ? error.code : 'http_error';
  return new ApiError(message, status, code, error?.details);
}

/** Returns the message to show for any error thrown by the fetch helpers. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message !== '') return error.message;
  return 'Something went wrong. Try again.';
}

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

export function fetchSummary(days: number, signal?: AbortSignal): Promise<SummaryReport> {
  return getJson(`/api/reports/summary?days=${days}`, signal);
}

export function fetchSeries(
  days: number,
  bucket: SeriesBucket,
  signal?: AbortSignal,
): Promise<SeriesReport> {
  return getJson(`/api/reports/series?days=${days}&bucket=${bucket}`, signal);
}

export function fetchRecentSends(limit: number, signal?: AbortSignal): Promise<SendsResponse> {
  return getJson(`/api/sends?limit=${limit}`, signal);
}

export function fetchDomainCheck(
  domain: string,
  smtpHost: string | null,
  signal?: AbortSignal,
): Promise<DomainCheck> {
  const query = smtpHost ? `?${new URLSearchParams({ smtpHost }).toString()}` : '';
  return getJson(`/api/domains/${encodeURIComponent(domain)}/check${query}`, signal);
}
