import type { PlatformIdentity } from '../../server/checks/types.js';
import { generateSigningKey, type SigningKey } from './dkim-signing.js';
import type { ZoneRecord } from './dns-server.js';

/** The platform identity of the analysis tests; its DKIM key is `ANALYSIS_KEYS.platform`. */
export const ANALYSIS_PLATFORM: PlatformIdentity = {
  fromAddress: 'notifications@mail.platform.example',
  envelopeDomain: 'bounce.platform.example',
  envelopeFrom: 'bounces@bounce.platform.example',
  relayIps: ['203.0.113.10'],
  dkimDomain: 'mail.platform.example',
  dkimSelector: 'pm',
};

/** The manager's server, authorized by harbor-rentals.example's SPF record. */
export const MANAGER_IP = '198.51.100.20';
export const MANDRILL_IP = '198.2.128.5';

/** Signing keys generated once per test process. */
export const ANALYSIS_KEYS: Record<
  'harbor' | 'platform' | 'mandrill' | 'list' | 'other',
  SigningKey
> = {
  harbor: generateSigningKey('harbor-rentals.example', 'h1'),
  platform: generateSigningKey('mail.platform.example', 'pm'),
  mandrill: generateSigningKey('mandrillapp.com', 'mandrill'),
  list: generateSigningKey('list.example', 'arc1'),
  other: generateSigningKey('harbor-rentals.example', 'unpublished'),
};

/**
 * Records of the analysis tests: harbor-rentals.example (the manager's domain, p=reject, SPF for
 * MANAGER_IP), the platform's domains, Mandrill's signing key and a forwarder's ARC key.
 * `replace` swaps records by name, for a wrong or missing key.
 */
export function analysisZone(replace: Record<string, ZoneRecord | null> = {}): ZoneRecord[] {
  const records: ZoneRecord[] = [
    { name: 'harbor-rentals.example', type: 'TXT', data: [`v=spf1 ip4:${MANAGER_IP} -all`] },
    { name: '_dmarc.harbor-rentals.example', type: 'TXT', data: ['v=DMARC1; p=reject'] },
    ANALYSIS_KEYS.harbor.record,
    { name: 'bounce.platform.example', type: 'TXT', data: ['v=spf1 ip4:203.0.113.10 -all'] },
    { name: '_dmarc.platform.example', type: 'TXT', data: ['v=DMARC1; p=reject'] },
    ANALYSIS_KEYS.platform.record,
    { name: 'mandrillapp.com', type: 'TXT', data: ['v=spf1 ip4:198.2.128.0/24 -all'] },
    ANALYSIS_KEYS.mandrill.record,
    ANALYSIS_KEYS.list.record,
  ];
  const remaining = records.filter((record) => !(record.name in replace));
  const added = Object.values(replace).filter((record): record is ZoneRecord => record !== null);
  return [...remaining, ...added];
}

/** The server settings that make its platform identity ANALYSIS_PLATFORM. */
export const ANALYSIS_PLATFORM_ENV: Record<string, string> = {
  DELIVERABILITY_PLATFORM_FROM: ANALYSIS_PLATFORM.fromAddress,
  DELIVERABILITY_PLATFORM_ENVELOPE_DOMAIN: ANALYSIS_PLATFORM.envelopeDomain,
  DELIVERABILITY_PLATFORM_RELAY_IPS: ANALYSIS_PLATFORM.relayIps.join(','),
  DELIVERABILITY_PLATFORM_DKIM_DOMAIN: ANALYSIS_PLATFORM.dkimDomain,
  DELIVERABILITY_PLATFORM_DKIM_SELECTOR: ANALYSIS_PLATFORM.dkimSelector,
};
