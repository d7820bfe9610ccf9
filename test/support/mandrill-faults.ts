import type http from 'node:http';

/**
 * A failure the Mandrill stand-in produces in place of a normal response.
 *
 * - `rate-limit`: HTTP 429 with Mandrill's error body.
 * - `unavailable`: HTTP 500 with `ServiceUnavailable`, as Mandrill returns during maintenance.
 * - `stall`: no response for `ms` milliseconds, then the connection is closed. Set `ms`
 *   above the client's timeout to make the client give up first.
 * - `bad-json`: HTTP 200 with a body that is not JSON.
 * - `drop`: the connection is closed without a response.
 * - `lost-answer`: the call is carried out (a message is taken), then no response comes for
 *   `ms` milliseconds and the connection is closed, as when a response is lost on the way.
 */
export type MandrillFault =
  | { kind: 'rate-limit' }
  | { kind: 'unavailable' }
  | { kind: 'stall'; ms: number }
  | { kind: 'bad-json' }
  | { kind: 'drop' }
  | { kind: 'lost-answer'; ms: number };

/** Faults by API path (`/messages/search`) and the 1-based number of the request to that path. */
export class FaultPlan {
  private readonly planned = new Map<string, Map<number, MandrillFault>>();
  private readonly counts = new Map<string, number>();

  add(path: string, requestNumbers: number[], fault: MandrillFault): void {
    const byNumber = this.planned.get(path) ?? new Map<number, MandrillFault>();
    for (const number of requestNumbers) byNumber.set(number, fault);
    this.planned.set(path, byNumber);
  }

  /** Counts a request to `path` and returns the fault planned for it, if any. */
  next(path: string): MandrillFault | undefined {
    const count = (this.counts.get(path) ?? 0) + 1;
    this.counts.set(path, count);
    return this.planned.get(path)?.get(count);
  }

  count(path: string): number {
    return this.counts.get(path) ?? 0;
  }
}

function errorBody(code: number, name: string, message: string): string {
  return JSON.stringify({ status: 'error', code, name, message });
}

/** Writes the fault to the response, or closes the connection for `stall` and `drop`. */
export function applyFault(
  fault: MandrillFault,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): void {
  const json = { 'content-type': 'application/json' };
  switch (fault.kind) {
    case 'rate-limit':
      // NOTE: no source checked gives the error name in the body of Mandrill's 429, so this name
      // is an assumption. The poller therefore decides on the status, not on the name.
      res.writeHead(429, json);
      res.end(errorBody(-1, 'Too_Many_Requests', 'Too many requests, slow down'));
      return;
    case 'unavailable':
      res.writeHead(500, json);
      res.end(
        errorBody(-99, 'ServiceUnavailable', 'The subsystem providing this API call is down'),
      );
      return;
    case 'bad-json':
      res.writeHead(200, json);
      res.end('<html><body>502 Bad Gateway</body></html>');
      return;
    case 'stall':
    case 'lost-answer': {
      const timer = setTimeout(() => req.socket.destroy(), fault.ms);
      req.socket.once('close', () => clearTimeout(timer));
      return;
    }
    case 'drop':
      req.socket.destroy();
      return;
  }
}
