/** A caller of the server's HTTP API with a session cookie or an API token. */
export interface DemoApi {
  json(method: string, urlPath: string, body?: unknown): Promise<any>;
  /** Posts a raw message (a bounce or a message to analyze) as `message/rfc822`. */
  raw(urlPath: string, message: string): Promise<any>;
}

export class DemoApiError extends Error {
  override name = 'DemoApiError';

  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function parse(response: Response, what: string): Promise<any> {
  const text = await response.text();
  if (!response.ok) {
    throw new DemoApiError(
      `${what} failed with HTTP ${response.status}: ${text.slice(0, 500)}`,
      response.status,
    );
  }
  return text === '' ? null : JSON.parse(text);
}

export function createApi(baseUrl: string, auth: { cookie?: string; bearer?: string }): DemoApi {
  const headers: Record<string, string> = {};
  if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.bearer) headers.authorization = `Bearer ${auth.bearer}`;
  return {
    async json(method, urlPath, body) {
      const response = await fetch(`${baseUrl}${urlPath}`, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return parse(response, `${method} ${urlPath}`);
    },
    async raw(urlPath, message) {
      const response = await fetch(`${baseUrl}${urlPath}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'message/rfc822' },
        body: message,
      });
      return parse(response, `POST ${urlPath}`);
    },
  };
}

/** Logs in and returns a caller with the session cookie. */
export async function login(baseUrl: string, email: string, password: string): Promise<DemoApi> {
  const response = await fetch(`${baseUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  await parse(response, `logging in as ${email}`);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return createApi(baseUrl, { cookie });
}
