import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SecretKeyring } from '../secrets/index.js';

function mac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url').slice(0, 16);
}

/**
 * Builds the token in a send's tracking URLs: `<send id>.<tag>`, where the tag is an HMAC with the
 * secret key, so opens or clicks cannot be counted for a send by guessing its id.
 */
export function trackingToken(sendId: number, keyring: SecretKeyring): string {
  return `${sendId}.${mac(keyring.current.key, `track:${sendId}`)}`;
}

/** Signs a click URL, so that the redirect goes only to links the product rewrote. */
export function linkSignature(sendId: number, url: string, keyring: SecretKeyring): string {
  return mac(keyring.current.key, `click:${sendId}:${url}`);
}

function matchesAnyKey(keyring: SecretKeyring, text: string, given: string): boolean {
  const wanted = Buffer.from(given);
  return [...keyring.all.values()].some((key) => {
    const expected = Buffer.from(mac(key, text));
    return expected.length === wanted.length && timingSafeEqual(expected, wanted);
  });
}

/** Returns the send id of a token made by `trackingToken` with any key of the keyring, or null. */
export function sendIdOfToken(token: string, keyring: SecretKeyring): number | null {
  const match = /^(\d{1,15})\.([A-Za-z0-9_-]{16})$/.exec(token);
  if (!match) return null;
  const sendId = Number(match[1]);
  return matchesAnyKey(keyring, `track:${sendId}`, match[2] ?? '') ? sendId : null;
}

export function linkSignatureMatches(
  sendId: number,
  url: string,
  signature: string,
  keyring: SecretKeyring,
): boolean {
  return matchesAnyKey(keyring, `click:${sendId}:${url}`, signature);
}
