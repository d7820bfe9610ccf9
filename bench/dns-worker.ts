/**
 * Worker thread of the DNS benchmark: serves the zone given in `workerData` through the test
 * DNS server and a delaying proxy in front of it. Running them here keeps their work off the
 * main thread, whose timers time the checks. `dns-host.ts` starts and drives this worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startDnsServer } from '../test/support/dns-server.js';
import type { ZoneRecord } from '../test/support/dns-server.js';
import { startDelayingProxy } from './dns-proxy.js';

export interface WorkerInput {
  records: ZoneRecord[];
  delayMs: number;
}

/** A request from the main thread; the worker answers each with the same `id`. */
export interface WorkerRequest {
  id: number;
  kind: 'counters' | 'reset' | 'close';
}

if (!parentPort) {
  throw new Error('dns-worker.js runs only as a worker thread started by dns-host.js');
}
const port = parentPort;
const input = workerData as WorkerInput;
const server = await startDnsServer(input.records);
const proxy = await startDelayingProxy({ upstreamPort: server.port, delayMs: input.delayMs });

port.on('message', (request: WorkerRequest) => {
  switch (request.kind) {
    case 'counters':
      port.postMessage({ id: request.id, counters: proxy.counters() });
      return;
    case 'reset':
      proxy.reset();
      port.postMessage({ id: request.id });
      return;
    case 'close':
      void Promise.all([proxy.close(), server.close()]).then(() => {
        port.postMessage({ id: request.id });
        port.close();
      });
      return;
  }
});
port.postMessage({ ready: true, proxyPort: proxy.port, serverPort: server.port });
