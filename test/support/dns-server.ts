import dns2, { Packet } from 'dns2';
import type { AddressInfo } from 'node:net';
import { createResolver } from '../../server/dns/resolver.js';
import type { CountingResolver } from '../../server/dns/resolver.js';

export type ZoneRecordType = 'TXT' | 'MX' | 'A' | 'AAAA' | 'CNAME' | 'PTR' | 'TYPE99';

/** One resource record served by the test DNS server. */
export interface ZoneRecord {
  name: string;
  type: ZoneRecordType;
  ttl?: number | null;
  /** TXT: the character-strings; MX: `{ priority, exchange }`; A/AAAA: the address; CNAME/PTR: the target. */
  data: string[] | { priority: number; exchange: string } | string;
}

export interface DnsServer {
  port: number;
  /** `127.0.0.1:PORT`, ready for `Resolver.setServers`. */
  address: string;
  close(): Promise<void>;
}

const TYPE_CODES: Record<ZoneRecordType, number> = {
  TXT: Packet.TYPE.TXT,
  MX: Packet.TYPE.MX,
  A: Packet.TYPE.A,
  AAAA: Packet.TYPE.AAAA,
  CNAME: Packet.TYPE.CNAME,
  PTR: Packet.TYPE.PTR,
  TYPE99: Packet.TYPE.SPF,
};

// RFC 1035 4.1.1 response codes (dns2's type declarations do not list them).
const RCODE = { FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3 } as const;
const DEFAULT_TTL = 300;
// RFC 1035 4.2.1: a UDP message without EDNS carries at most 512 bytes. The server applies this
// limit even to clients that offer EDNS, so every large answer exercises the TCP retry.
const UDP_LIMIT = 512;
// RFC 1035 3.3: a character-string is at most 255 octets.
const MAX_STRING_BYTES = 255;
const MAX_CNAME_CHAIN = 8;
const BIND_ATTEMPTS = 20;

interface Zone {
  records: Map<string, ZoneRecord[]>;
  /** Names that exist only as ancestors of other names (empty non-terminals, RFC 8020). */
  ancestors: Set<string>;
}

/**
 * Starts an authoritative DNS server on 127.0.0.1 that serves `records` over UDP and TCP on the
 * same port. Unknown names get NXDOMAIN, known names without the requested type get NODATA, and
 * in-zone CNAMEs are followed. UDP answers over 512 bytes come back with TC set.
 */
export async function startDnsServer(records: ZoneRecord[]): Promise<DnsServer> {
  const zone = buildZone(records);
  let lastError: unknown;
  for (let attempt = 0; attempt < BIND_ATTEMPTS; attempt += 1) {
    try {
      return await listenOnSharedPort(zone);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
        throw error;
      }
      lastError = error;
    }
  }
  throw new Error(`DNS test server found no free port after ${BIND_ATTEMPTS} attempts`, {
    cause: lastError,
  });
}

async function listenOnSharedPort(zone: Zone): Promise<DnsServer> {
  const udp = dns2.createUDPServer((request, send) => {
    void send(serializeForUdp(answer(zone, request)));
  });
  const tcp = dns2.createTCPServer((request, send) => {
    send(answer(zone, request));
  });
  udp.on('requestError', () => undefined);
  tcp.on('requestError', () => undefined);

  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(0, '127.0.0.1', () => resolve());
  });
  const port = (udp.address() as AddressInfo).port;
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    throw error;
  }

  const close = async (): Promise<void> => {
    await Promise.all([
      new Promise<void>((resolve) => udp.close(() => resolve())),
      new Promise<void>((resolve) => tcp.close(() => resolve())),
    ]);
  };
  return { port, address: `127.0.0.1:${port}`, close };
}

function normalizeName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function buildZone(records: ZoneRecord[]): Zone {
  const byName = new Map<string, ZoneRecord[]>();
  const ancestors = new Set<string>();
  for (const record of records) {
    const name = normalizeName(record.name);
    const list = byName.get(name) ?? [];
    list.push(record);
    byName.set(name, list);
    const labels = name.split('.');
    for (let i = 1; i < labels.length; i += 1) {
      ancestors.add(labels.slice(i).join('.'));
    }
  }
  return { records: byName, ancestors };
}

type Resource = InstanceType<typeof Packet.Resource>;

function answer(zone: Zone, request: InstanceType<typeof Packet>): InstanceType<typeof Packet> {
  const response = Packet.createResponseFromRequest(request);
  response.header.aa = 1;
  const question = request.questions[0];
  if (!question) {
    response.header.rcode = RCODE.FORMERR;
    return response;
  }
  let name = normalizeName(question.name);
  for (let depth = 0; depth <= MAX_CNAME_CHAIN; depth += 1) {
    const found = zone.records.get(name);
    if (!found) {
      // RFC 8020: a name above existing names exists, so it gets NODATA, never NXDOMAIN.
      if (!zone.ancestors.has(name)) {
        response.header.rcode = RCODE.NXDOMAIN;
      }
      return response;
    }
    const matching = found.filter((record) => TYPE_CODES[record.type] === question.type);
    const cname = found.find((record) => record.type === 'CNAME');
    if (matching.length > 0 || !cname) {
      response.answers.push(...matching.map((record) => toResource(question.name, name, record)));
      return response;
    }
    // RFC 1034 3.6.2: return the CNAME and continue with its target.
    response.answers.push(toResource(question.name, name, cname));
    name = normalizeName(cname.data as string);
  }
  response.header.rcode = RCODE.SERVFAIL;
  return response;
}

function toResource(questionName: string, name: string, record: ZoneRecord): Resource {
  const base = {
    name: sameName(questionName, name) ? questionName : name,
    type: TYPE_CODES[record.type],
    class: Packet.CLASS.IN,
    ttl: record.ttl ?? DEFAULT_TTL,
  };
  switch (record.type) {
    case 'TXT':
    case 'TYPE99':
      return { ...base, data: splitStrings(record.data as string[]) } as unknown as Resource;
    case 'MX': {
      const mx = record.data as { priority: number; exchange: string };
      return { ...base, priority: mx.priority, exchange: mx.exchange } as unknown as Resource;
    }
    case 'A':
    case 'AAAA':
      return { ...base, address: record.data as string } as unknown as Resource;
    case 'CNAME':
    case 'PTR':
      return { ...base, domain: normalizeName(record.data as string) } as unknown as Resource;
  }
}

function sameName(a: string, b: string): boolean {
  return normalizeName(a) === b;
}

/** Splits character-strings longer than 255 bytes into 255-byte chunks (RFC 1035 3.3). */
function splitStrings(strings: string[]): Buffer[] {
  const chunks: Buffer[] = [];
  for (const text of strings) {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length === 0) {
      chunks.push(bytes);
    }
    for (let start = 0; start < bytes.length; start += MAX_STRING_BYTES) {
      chunks.push(bytes.subarray(start, start + MAX_STRING_BYTES));
    }
  }
  return chunks;
}

function serializeForUdp(response: InstanceType<typeof Packet>): Buffer {
  const full = response.toBuffer();
  if (full.length <= UDP_LIMIT) {
    return full;
  }
  // RFC 1035 4.2.1 and RFC 2181 9: set TC and drop the answers so the client retries over TCP.
  const truncated = new Packet();
  truncated.header = new Packet.Header({ ...response.header, tc: 1 });
  truncated.questions = response.questions.slice();
  return truncated.toBuffer();
}

/**
 * Starts a server for `records`, passes a fresh resolver pointed at it to `run`, and closes the
 * server afterwards. A server that cannot start rejects, so the calling test fails.
 */
export async function withZone<T>(
  records: ZoneRecord[],
  run: (resolver: CountingResolver) => Promise<T>,
): Promise<T> {
  const server = await startDnsServer(records);
  try {
    return await run(createResolver({ servers: [server.address], timeoutMs: 2000, tries: 2 }));
  } finally {
    await server.close();
  }
}
