import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SecretKeyring } from '../secrets/index.js';

// The local part carries the Message-ID's UUID and a tag that proves this server made it:
// bounces+<32 hex>.<10 hex>@<envelope domain>, 53 characters, under the limit of 64.
const VERP = /^bounces\+([0-9a-f]{32})\.([0-9a-f]{10})@(.+)$/i;
const UUID_MESSAGE_ID = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})@/i;

function tag(key: Buffer, messageId: string): string {
  return createHmac('sha256', key).update(`verp:${messageId}`).digest('hex').slice(0, 10);
}

/**
 * Returns the per-message return path (VERP) of a default-method message, so that its bounces
 * name the message they are about. The tag is an HMAC with the secret key, so a forged bounce
 * cannot mark a send bounced by guessing an address. Returns `fallback` for a Message-ID this
 * server did not make from a UUID.
 */
export function verpAddress(
  messageId: string,
  envelopeDomain: string,
  keyring: SecretKeyring,
  fallback: string,
): string {
  const match = UUID_MESSAGE_ID.exec(messageId);
  if (!match) return fallback;
  const hex = match.slice(1, 6).join('').toLowerCase();
  return `bounces+${hex}.${tag(keyring.current.key, messageId)}@${envelopeDomain}`;
}

/**
 * Reads the Message-ID back from a VERP address made by `verpAddress`, checking its tag
 * against every key of the keyring (an older key still verifies bounces of mail it signed).
 * Returns null for any other address or a wrong tag.
 */
export function messageIdFromVerp(
  address: string,
  messageDomain: string,
  envelopeDomain: string,
  keyring: SecretKeyring,
): string | null {
  const match = VERP.exec(address.trim());
  if (!match || match[3]?.toLowerCase() !== envelopeDomain.toLowerCase()) return null;
  const hex = (match[1] ?? '').toLowerCase();
  const uuid = [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ];
  const messageId = `${uuid.join('-')}@${messageDomain}`;
  const given = Buffer.from((match[2] ?? '').toLowerCase());
  for (const key of keyring.all.values()) {
    const expected = Buffer.from(tag(key, messageId));
    if (timingSafeEqual(expected, given)) return messageId;
  }
  return null;
}
