import type { Store } from '../../db/types.js';
import { recordEvent } from '../events/record.js';
import type { SecretKeyring } from '../secrets/index.js';
import { machineReason } from './machine.js';
import { linkSignature, linkSignatureMatches, sendIdOfToken, trackingToken } from './tokens.js';

export interface TrackingSettings {
  opens?: boolean;
  clicks?: boolean;
}

/** Returns the URLs of one send's pixel and links, under the server's public URL. */
export function trackingUrls(baseUrl: string, sendId: number, keyring: SecretKeyring) {
  const token = trackingToken(sendId, keyring);
  return {
    openUrl: `${baseUrl}/t/o/${token}.gif`,
    clickUrl: (url: string) =>
      `${baseUrl}/t/c/${token}?u=${encodeURIComponent(url)}&s=${linkSignature(sendId, url, keyring)}`,
  };
}

export interface Hit {
  token: string;
  userAgent?: string;
  ip?: string;
  method: string;
  now: number;
}

/**
 * Records an open of a tracked send. A machine's open (a privacy proxy, a scanner) is kept
 * as an event marked `machine` but adds nothing to the send's opens. Returns false for a
 * token this server did not make or a send that no longer exists.
 */
export function recordTrackedOpen(store: Store, keyring: SecretKeyring, hit: Hit): boolean {
  const sendId = sendIdOfToken(hit.token, keyring);
  const send = sendId === null ? null : store.sends.get(sendId);
  if (!send) return false;
  const machine = machineReason('open', hit.userAgent, hit.ip, hit.method);
  recordEvent(
    store,
    {
      sendId: send.id,
      accountId: send.accountId,
      type: 'open',
      source: 'tracking',
      occurredAt: hit.now,
      data: { userAgent: hit.userAgent ?? null, machine: machine !== null, machineReason: machine },
      // One open per send, second and kind of opener: a mail client that loads the image twice
      // counts once, and a scanner's load does not hide the reader's.
      dedupKey: `track:${send.id}:open:${Math.floor(hit.now / 1000)}:${machine ? 'machine' : 'reader'}`,
      patch: { addOpens: machine ? 0 : 1 },
    },
    hit.now,
  );
  return true;
}

/**
 * Records a click of a tracked link and returns the URL to redirect to, or null when the
 * token or the link's signature is not this server's (so it is no open redirect).
 */
export function recordTrackedClick(
  store: Store,
  keyring: SecretKeyring,
  hit: Hit & { url: string; signature: string },
): string | null {
  const sendId = sendIdOfToken(hit.token, keyring);
  const send = sendId === null ? null : store.sends.get(sendId);
  if (!send || !/^https?:\/\//i.test(hit.url)) return null;
  if (!linkSignatureMatches(send.id, hit.url, hit.signature, keyring)) return null;
  const machine = machineReason('click', hit.userAgent, hit.ip, hit.method);
  recordEvent(
    store,
    {
      sendId: send.id,
      accountId: send.accountId,
      type: 'click',
      source: 'tracking',
      occurredAt: hit.now,
      data: {
        url: hit.url,
        userAgent: hit.userAgent ?? null,
        machine: machine !== null,
        machineReason: machine,
      },
      dedupKey: `track:${send.id}:click:${Math.floor(hit.now / 1000)}:${machine ? 'machine' : 'reader'}:${hit.url}`,
      patch: { addClicks: machine ? 0 : 1 },
    },
    hit.now,
  );
  return hit.url;
}
