import { generateKeyPairSync } from 'node:crypto';
import { dkimSign, sealMessage } from 'mailauth';
import nodemailer from 'nodemailer';
import type { ZoneRecord } from './dns-server.js';

/** An RSA key pair for one DKIM selector, with the TXT record that publishes its public key. */
export interface SigningKey {
  domain: string;
  selector: string;
  /** PKCS#8 PEM, as nodemailer and mailauth take it. */
  privateKey: string;
  /** The key record at `<selector>._domainkey.<domain>`. */
  record: ZoneRecord;
}

/** Generates a 2048-bit RSA key for `selector` at `domain`. */
export function generateSigningKey(domain: string, selector: string): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  return {
    domain,
    selector,
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    record: {
      name: `${selector}._domainkey.${domain}`,
      type: 'TXT',
      data: [`v=DKIM1; k=rsa; p=${p}`],
    },
  };
}

/** Returns a record at `key`'s name that publishes `other`'s public key: a wrong key in DNS. */
export function recordWithKeyOf(key: SigningKey, other: SigningKey): ZoneRecord {
  return { ...other.record, name: key.record.name };
}

export interface ComposeOptions {
  from: string;
  to?: string;
  subject?: string;
  text?: string;
  /** Signs with nodemailer's DKIM signer when given. */
  key?: SigningKey;
  headers?: Record<string, string>;
}

/** Builds a message with nodemailer's stream transport, signed by its DKIM signer when `key` is set. */
export async function composeMessage(options: ComposeOptions): Promise<Buffer> {
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'windows',
  });
  const info = await transport.sendMail({
    from: options.from,
    to: options.to ?? 'guest@guests.example',
    subject: options.subject ?? 'Your booking',
    text: options.text ?? 'See you on Friday.\r\nThe key is under the mat.\r\n',
    date: new Date('2026-12-04T10:00:00Z'),
    messageId: '<analysis-test@desk.example>',
    headers: options.headers,
    ...(options.key
      ? {
          dkim: {
            domainName: options.key.domain,
            keySelector: options.key.selector,
            privateKey: options.key.privateKey,
          },
        }
      : {}),
  });
  return info.message as Buffer;
}

/**
 * Adds a DKIM signature made by mailauth's signer, which sets t= and x= (nodemailer 10's signer
 * sets neither), so a test can make a signature that has expired. mailauth 4.13 signs only the
 * keys listed in `signatureData` and returns no signature, and no error, without it.
 */
export async function signWithExpiry(
  raw: Buffer,
  key: SigningKey,
  signTime: Date,
  expires: Date,
): Promise<Buffer> {
  const { signatures, errors } = await dkimSign(raw, {
    signingDomain: key.domain,
    selector: key.selector,
    privateKey: key.privateKey,
    signatureData: [
      { signingDomain: key.domain, selector: key.selector, privateKey: key.privateKey },
    ],
    signTime,
    expires,
  });
  if (errors.length > 0) throw errors[0];
  if (!signatures.includes('DKIM-Signature:')) throw new Error('mailauth made no DKIM signature');
  return Buffer.concat([Buffer.from(signatures), raw]);
}

/** Prepends header fields, given top first, such as Received fields added on the way. */
export function prependHeaders(raw: Buffer, lines: string[]): Buffer {
  return Buffer.concat([Buffer.from(lines.map((line) => `${line}\r\n`).join('')), raw]);
}

/** Replaces the first occurrence of `search` in the message: an edit after signing. */
export function replaceText(raw: Buffer, search: string, replacement: string): Buffer {
  const text = raw.toString('utf8');
  if (!text.includes(search))
    throw new Error(`the message does not contain ${JSON.stringify(search)}`);
  return Buffer.from(text.replace(search, replacement), 'utf8');
}

/**
 * Seals a message with an ARC set (ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results)
 * by mailauth's sealer, as a forwarder does after recording `authResults`.
 */
export async function sealAsForwarder(
  raw: Buffer,
  key: SigningKey,
  authResults: string,
): Promise<Buffer> {
  const headers = await sealMessage(raw, {
    signingDomain: key.domain,
    selector: key.selector,
    privateKey: key.privateKey,
    authResults,
    cv: 'none',
  } as Parameters<typeof sealMessage>[1]);
  return Buffer.concat([headers, raw]);
}
