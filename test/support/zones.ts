import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { corpusDir } from './corpus.js';
import type { PlatformIdentity } from '../../server/checks/types.js';
import type { ZoneRecord } from './dns-server.js';

interface CorpusRecord {
  name: string;
  type: ZoneRecord['type'];
  ttl: number | null;
  data: ZoneRecord['data'];
}

/** Loads a zone file of published records from the corpus `zones` folder as test DNS records. */
export function loadCorpusZone(file = 'real-world.json'): ZoneRecord[] {
  const text = readFileSync(path.join(corpusDir, 'zones', file), 'utf8');
  const records = JSON.parse(text) as CorpusRecord[];
  return records.map((record) => ({
    name: record.name,
    type: record.type,
    ttl: record.ttl,
    data: record.data,
  }));
}

/** The platform identity used by the tests, served by `platformZone()`. */
export const TEST_PLATFORM: PlatformIdentity = {
  fromAddress: 'notifications@mail.platform.example',
  envelopeDomain: 'bounce.platform.example',
  envelopeFrom: 'bounces@bounce.platform.example',
  relayIps: ['203.0.113.10'],
  dkimDomain: 'mail.platform.example',
  dkimSelector: 'pm',
};

/** Generates an RSA public key of `bits` bits as the base64 DER SPKI that DKIM's `p=` holds. */
export function rsaPublicKeyBase64(bits: number): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
}

/** Records of the platform's own domains: relay SPF, DKIM key and a p=reject DMARC record. */
export function platformZone(): ZoneRecord[] {
  return [
    { name: 'bounce.platform.example', type: 'TXT', data: ['v=spf1 ip4:203.0.113.10 -all'] },
    {
      name: 'pm._domainkey.mail.platform.example',
      type: 'TXT',
      data: [`v=DKIM1; k=rsa; p=${platformKey()}`],
    },
    { name: '_dmarc.platform.example', type: 'TXT', data: ['v=DMARC1; p=reject'] },
  ];
}

let cachedPlatformKey: string | undefined;

function platformKey(): string {
  cachedPlatformKey ??= rsaPublicKeyBase64(2048);
  return cachedPlatformKey;
}
