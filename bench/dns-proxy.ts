/**
 * A DNS proxy on 127.0.0.1 that holds every answer for a fixed delay before passing it on, so
 * that a loopback DNS server behaves like one a network round trip away. It serves UDP and TCP
 * on one port, as resolvers expect, and counts what it forwards.
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import net from 'node:net';

export interface ProxyCounters {
  /** UDP queries received from clients. */
  udpQueries: number;
  /** TCP queries received from clients: retries of answers that came back truncated over UDP. */
  tcpQueries: number;
  /** UDP answers passed on with the TC bit set. */
  truncatedAnswers: number;
  /**
   * Distinct (client UDP socket, question) pairs. A resolver sends its UDP queries from one
   * socket, so a repeat of the same question from the same socket is a duplicate query.
   * NOTE: a new resolver can get the port of a closed one, so over a bulk audit of many
   * resolvers a few first questions of a new resolver count as repeats of the old one's.
   */
  distinctQuestions: number;
  /** Maximum number of queries received and not yet answered at the same time. */
  maxInFlight: number;
  /** UDP queries forwarded upstream that have no answer yet: lost ones, once the run is over. */
  unansweredUpstream: number;
}

export interface DelayingProxy {
  port: number;
  /** `127.0.0.1:PORT`, ready for `Resolver.setServers`. */
  address: string;
  counters(): ProxyCounters;
  /** Zeroes the counters and forgets the questions seen so far. */
  reset(): void;
  close(): Promise<void>;
}

export interface ProxyOptions {
  upstreamPort: number;
  delayMs: number;
}

interface PendingUdp {
  id: number;
  address: string;
  port: number;
  /** The query without its ID, under which the answer is stored. */
  query: string;
}

const BIND_ATTEMPTS = 20;
// The bulk audit sends bursts of several hundred queries at once. With Linux's default
// receive buffer (net.core.rmem_default, 212,992 bytes on the benchmark machine), the front
// socket dropped about 2,800 queries per run. Each dropped query cost its check a 3 s retry.
// The kernel caps the requested size at net.core.rmem_max.
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;
const HEADER_BYTES = 12;
// RFC 1035 4.1.1: TC is bit 1 of the third header byte.
const TC_BIT = 0x02;
// RFC 1035 4.2.2: a DNS message over TCP is preceded by its length in two bytes.
const TCP_LENGTH_BYTES = 2;

/**
 * Starts a proxy on 127.0.0.1 in front of the DNS server on `127.0.0.1:upstreamPort`. Queries
 * go upstream at once; each answer is sent back `delayMs` milliseconds after it arrived.
 */
export async function startDelayingProxy(options: ProxyOptions): Promise<DelayingProxy> {
  let lastError: unknown;
  for (let attempt = 0; attempt < BIND_ATTEMPTS; attempt += 1) {
    try {
      return await listenOnSharedPort(options);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
        throw error;
      }
      lastError = error;
    }
  }
  throw new Error(`DNS proxy found no free port after ${BIND_ATTEMPTS} attempts`, {
    cause: lastError,
  });
}

async function listenOnSharedPort(options: ProxyOptions): Promise<DelayingProxy> {
  const { upstreamPort, delayMs } = options;
  let counters = emptyCounters();
  let seen = new Set<string>();
  let inFlight = 0;

  const received = (): void => {
    inFlight += 1;
    counters.maxInFlight = Math.max(counters.maxInFlight, inFlight);
  };
  const answered = (): void => {
    inFlight -= 1;
  };

  const front = dgram.createSocket({ type: 'udp4', recvBufferSize: RECEIVE_BUFFER_BYTES });
  const back = dgram.createSocket({ type: 'udp4', recvBufferSize: RECEIVE_BUFFER_BYTES });
  const pending = new Map<number, PendingUdp>();
  // The zone never changes, so a query that differs only in its ID gets the same answer. The
  // test DNS server spent about 0.3 ms per query in a CPU profile of the bulk audit, which made
  // it, not the checks, the limit of the audit, so each answer is encoded once and then sent
  // from here.
  const answers = new Map<string, Buffer>();
  let nextId = 0;

  const reply = (answer: Buffer, id: number, port: number, address: string): void => {
    const copy = Buffer.from(answer);
    copy.writeUInt16BE(id, 0);
    if (((copy[2] ?? 0) & TC_BIT) !== 0) {
      counters.truncatedAnswers += 1;
    }
    setTimeout(() => {
      answered();
      front.send(copy, port, address);
    }, delayMs);
  };

  front.on('message', (message, client) => {
    if (message.length < HEADER_BYTES) {
      return;
    }
    counters.udpQueries += 1;
    received();
    const question = questionKey(message) ?? 'unparsed';
    const asked = `${client.address}:${client.port} ${question}`;
    if (!seen.has(asked)) {
      seen.add(asked);
      counters.distinctQuestions += 1;
    }
    const query = message.toString('latin1', 2);
    const known = answers.get(query);
    if (known) {
      reply(known, message.readUInt16BE(0), client.port, client.address);
      return;
    }
    // Queries from different client sockets may carry the same ID, so each one gets an ID of
    // its own upstream and its original ID back in the answer.
    const id = allocateId(pending, nextId);
    nextId = (id + 1) & 0xffff;
    pending.set(id, {
      id: message.readUInt16BE(0),
      address: client.address,
      port: client.port,
      query,
    });
    const forwarded = Buffer.from(message);
    forwarded.writeUInt16BE(id, 0);
    back.send(forwarded, upstreamPort, '127.0.0.1');
  });

  back.on('message', (message) => {
    if (message.length < HEADER_BYTES) {
      return;
    }
    const request = pending.get(message.readUInt16BE(0));
    if (!request) {
      return;
    }
    pending.delete(message.readUInt16BE(0));
    answers.set(request.query, Buffer.from(message));
    reply(message, request.id, request.port, request.address);
  });
  front.on('error', () => undefined);
  back.on('error', () => undefined);

  const connections = new Set<net.Socket>();
  const tcp = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    connections.add(client);
    connections.add(upstream);
    const fromClient = frameReader((frame) => {
      counters.tcpQueries += 1;
      received();
      upstream.write(frame);
    });
    const fromUpstream = frameReader((frame) => {
      setTimeout(() => {
        answered();
        if (!client.destroyed) {
          client.write(frame);
        }
      }, delayMs);
    });
    client.on('data', fromClient);
    upstream.on('data', fromUpstream);
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
      connections.delete(client);
      connections.delete(upstream);
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  });

  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.bind(0, '127.0.0.1', () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    back.once('error', reject);
    back.bind(0, '127.0.0.1', () => resolve());
  });
  const port = (front.address() as AddressInfo).port;
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await Promise.all([closeUdp(front), closeUdp(back)]);
    throw error;
  }

  return {
    port,
    address: `127.0.0.1:${port}`,
    counters: () => ({ ...counters, unansweredUpstream: pending.size }),
    reset: () => {
      counters = emptyCounters();
      pending.clear();
      seen = new Set();
    },
    close: async () => {
      for (const socket of connections) {
        socket.destroy();
      }
      await Promise.all([
        closeUdp(front),
        closeUdp(back),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

function emptyCounters(): ProxyCounters {
  return {
    udpQueries: 0,
    tcpQueries: 0,
    truncatedAnswers: 0,
    distinctQuestions: 0,
    maxInFlight: 0,
    unansweredUpstream: 0,
  };
}

function allocateId(pending: Map<number, PendingUdp>, start: number): number {
  for (let offset = 0; offset <= 0xffff; offset += 1) {
    const id = (start + offset) & 0xffff;
    if (!pending.has(id)) {
      return id;
    }
  }
  throw new Error('DNS proxy has 65,536 queries pending upstream and no free query ID');
}

function closeUdp(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

/**
 * Returns a `data` handler that splits a TCP stream into length-prefixed DNS messages and
 * passes each whole message, prefix included, to `onFrame`.
 */
function frameReader(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let buffered = Buffer.alloc(0);
  return (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= TCP_LENGTH_BYTES) {
      const total = TCP_LENGTH_BYTES + buffered.readUInt16BE(0);
      if (buffered.length < total) {
        return;
      }
      onFrame(buffered.subarray(0, total));
      buffered = buffered.subarray(total);
    }
  };
}

/** Reads the first question of a DNS message as `TYPE-CODE name`, or undefined if malformed. */
export function questionKey(message: Buffer): string | undefined {
  const labels: string[] = [];
  let offset = HEADER_BYTES;
  for (;;) {
    const length = message[offset];
    if (length === undefined || (length & 0xc0) !== 0) {
      return undefined;
    }
    offset += 1;
    if (length === 0) {
      break;
    }
    labels.push(message.toString('latin1', offset, offset + length));
    offset += length;
  }
  if (offset + 2 > message.length) {
    return undefined;
  }
  return `${message.readUInt16BE(offset)} ${labels.join('.').toLowerCase()}`;
}

// RFC 1035 3.2.2 and RFC 3596 2.1: the type codes of the questions the checks send.
const TYPE_CODES: Record<string, number> = { A: 1, CNAME: 5, PTR: 12, MX: 15, TXT: 16, AAAA: 28 };

/** One DNS question, with the type as its mnemonic (`TXT`, `A`, ...). */
export interface Question {
  name: string;
  type: string;
}

/**
 * Asks the DNS server on `127.0.0.1:port` each question once over UDP, with no EDNS, and
 * returns the keys (`TYPE name`) of the questions whose answers came back truncated. Queries
 * go out `batchSize` at a time; a question that gets no answer within 2 s rejects.
 */
export async function findTruncatedAnswers(
  port: number,
  questions: Question[],
  batchSize = 200,
): Promise<Set<string>> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const waiting = new Map<number, (message: Buffer) => void>();
  socket.on('message', (message) => {
    waiting.get(message.readUInt16BE(0))?.(message);
  });
  const truncated = new Set<string>();
  try {
    for (let start = 0; start < questions.length; start += batchSize) {
      const batch = questions.slice(start, start + batchSize);
      await Promise.all(
        batch.map(async (question, index) => {
          const id = index;
          const answer = await new Promise<Buffer>((resolve, reject) => {
            const timer = setTimeout(() => {
              waiting.delete(id);
              reject(new Error(`No answer to ${question.type} ${question.name} within 2 s`));
            }, 2000);
            waiting.set(id, (message) => {
              clearTimeout(timer);
              waiting.delete(id);
              resolve(message);
            });
            socket.send(encodeQuery(id, question), port, '127.0.0.1');
          });
          if (((answer[2] ?? 0) & TC_BIT) !== 0) {
            truncated.add(`${question.type} ${question.name}`);
          }
        }),
      );
    }
  } finally {
    await closeUdp(socket);
  }
  return truncated;
}

function encodeQuery(id: number, question: Question): Buffer {
  const code = TYPE_CODES[question.type];
  if (code === undefined) {
    throw new Error(
      `Unsupported question type ${question.type}: expected one of A, CNAME, PTR, MX, TXT, AAAA`,
    );
  }
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(id, 0);
  // Flags: a standard query with RD set; one question.
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  const labels = question.name.split('.').filter((label) => label.length > 0);
  const name = Buffer.concat([
    ...labels.map((label) =>
      Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'latin1')]),
    ),
    Buffer.from([0]),
  ]);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(code, 0);
  // Class IN.
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([header, name, tail]);
}
