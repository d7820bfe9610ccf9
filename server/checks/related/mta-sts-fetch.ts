import https from 'node:https';
import type { Resolver } from '../../dns/types.js';
import { classifyAddress } from '../../sending/destination.js';
import { lookupAddresses } from './lookup.js';

export interface HttpsPolicyFetchOptions {
  /** Resolves `mta-sts.<domain>`, so that the check sends all its DNS queries to one place. */
  resolver: Resolver;
  /** Time limit in milliseconds for the whole request, 5000 by default. */
  timeoutMs?: number;
  /** Port to connect to, 443 by default (RFC 8461 3.3). Tests set a loopback server's port. */
  port?: number;
  /** Trusted CA certificates in PEM, which replace Node's bundle. Tests pass their own. */
  ca?: string | Buffer;
  /**
   * Decides whether an address may be contacted. By default only public unicast addresses may,
   * so that a domain's DNS cannot make the server request its own network or a metadata service.
   */
  allowAddress?: (address: string) => boolean;
}

const DEFAULT_TIMEOUT_MS = 5000;
const POLICY_PATH = '/.well-known/mta-sts.txt';
// Our own cap on the policy size. Real policies are a few hundred bytes, and the cap keeps a
// hostile server from streaming an unbounded body into memory.
const MAX_POLICY_BYTES = 64 * 1024;

function isPublicAddress(address: string): boolean {
  return classifyAddress(address) === 'unicast';
}

/**
 * Fetches `https://mta-sts.<domain>/.well-known/mta-sts.txt` (RFC 8461 3.3) with certificate
 * and host name checks, and returns its text, or null when the server responds with 404. The host is
 * resolved through `options.resolver`, every address must pass `allowAddress`, and the request
 * goes to the first IPv4 address, else the first IPv6 one. Throws an Error for a host without
 * addresses, a rejected address, a TLS failure, a redirect (which RFC 8461 3.3 forbids
 * following), any other status than 200 or 404, an oversized body or the time limit.
 */
export async function fetchMtaStsPolicyOverHttps(
  domain: string,
  options: HttpsPolicyFetchOptions,
): Promise<string | null> {
  const host = `mta-sts.${domain}`;
  const addresses = await lookupAddresses(options.resolver, host);
  if (addresses.status === 'void') {
    throw new Error(`${host} has no A or AAAA record, so the MTA-STS policy cannot be fetched`);
  }
  if (addresses.status === 'temperror') {
    throw new Error(`The address lookup of ${host} failed (${addresses.code})`);
  }
  const allow = options.allowAddress ?? isPublicAddress;
  const rejected = addresses.answer.find((address) => !allow(address));
  if (rejected !== undefined) {
    throw new Error(`${host} resolves to ${rejected}, which is not a public address; not fetched`);
  }
  const address = addresses.answer.find((item) => !item.includes(':')) ?? addresses.answer[0];
  return request(host, address ?? '', options);
}

function request(
  host: string,
  address: string,
  options: HttpsPolicyFetchOptions,
): Promise<string | null> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const url = `https://${host}${POLICY_PATH}`;
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: address,
        port: options.port ?? 443,
        path: POLICY_PATH,
        method: 'GET',
        // SNI and the certificate check use the policy host, not the address connected to.
        servername: host,
        headers: { host, accept: 'text/plain' },
        ca: options.ca,
        rejectUnauthorized: true,
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          res.resume();
          if (status === 404) {
            resolve(null);
            return;
          }
          const redirect =
            status >= 300 && status < 400 ? ' (redirects are not followed, RFC 8461 3.3)' : '';
          reject(new Error(`${url} answered HTTP ${status}${redirect}`));
          return;
        }
        readBody(res, url).then(resolve, reject);
      },
    );
    req.on('error', (error: Error) => {
      const timedOut = error.name === 'AbortError' || error.name === 'TimeoutError';
      reject(
        timedOut
          ? new Error(`${url} timed out after ${timeoutMs} ms`)
          : new Error(`${url} failed: ${error.message}`),
      );
    });
    req.end();
  });
}

function readBody(res: NodeJS.ReadableStream & { destroy(): void }, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_POLICY_BYTES) {
        res.destroy();
        reject(new Error(`${url} returned more than ${MAX_POLICY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', (error: Error) => reject(new Error(`${url} failed: ${error.message}`)));
  });
}
