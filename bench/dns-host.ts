/** Starts the benchmark's delayed DNS server in a worker thread and reads its counters. */
import { Worker } from 'node:worker_threads';
import type { ZoneRecord } from '../test/support/dns-server.js';
import type { ProxyCounters } from './dns-proxy.js';
import type { WorkerInput, WorkerRequest } from './dns-worker.js';

export interface DelayedDnsServer {
  /** The delaying proxy as `127.0.0.1:PORT`: the address resolvers under test use. */
  address: string;
  /** The port of the DNS server itself, which answers without delay. */
  serverPort: number;
  counters(): Promise<ProxyCounters>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

interface ReadyMessage {
  ready: true;
  proxyPort: number;
  serverPort: number;
}

interface ReplyMessage {
  id: number;
  counters?: ProxyCounters;
}

/**
 * Serves `records` on 127.0.0.1 with every answer held for `delayMs` milliseconds. Rejects if
 * the worker fails before it is ready.
 */
export async function startDelayedDnsServer(
  records: ZoneRecord[],
  delayMs: number,
): Promise<DelayedDnsServer> {
  const input: WorkerInput = { records, delayMs };
  const worker = new Worker(new URL('./dns-worker.js', import.meta.url), { workerData: input });
  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    worker.once('error', onError);
    worker.once('message', (message: ReadyMessage) => {
      worker.off('error', onError);
      resolve(message);
    });
  });

  const replies = new Map<number, (reply: ReplyMessage) => void>();
  let nextId = 0;
  worker.on('message', (reply: ReplyMessage) => replies.get(reply.id)?.(reply));
  const send = (kind: WorkerRequest['kind']): Promise<ReplyMessage> =>
    new Promise((resolve) => {
      const id = nextId;
      nextId += 1;
      replies.set(id, (reply) => {
        replies.delete(id);
        resolve(reply);
      });
      worker.postMessage({ id, kind } satisfies WorkerRequest);
    });

  return {
    address: `127.0.0.1:${ready.proxyPort}`,
    serverPort: ready.serverPort,
    counters: async () => {
      const reply = await send('counters');
      if (!reply.counters) {
        throw new Error('DNS benchmark worker sent no counters');
      }
      return reply.counters;
    },
    reset: async () => {
      await send('reset');
    },
    close: async () => {
      await send('close');
      await worker.terminate();
    },
  };
}
