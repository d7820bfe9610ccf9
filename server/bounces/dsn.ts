/*
 * Field blocks of RFC 3464 delivery status notifications and RFC 5965 feedback reports. Both
 * use header syntax (RFC 5322 section 2.2): "Name: value" lines, continued by lines starting
 * with white space, in blocks separated by blank lines.
 */

/** One block of fields, keyed by lowercased field name, with every value in order. */
export type FieldBlock = Map<string, string[]>;

/** One per-recipient block of a delivery status notification (RFC 3464 section 2.3). */
export interface DsnRecipient {
  address: string | null;
  action: string | null;
  status: string | null;
  remoteMta: string | null;
  diagnostic: string | null;
  diagnosticType: string | null;
}

/** The fields of a delivery status notification that the parser uses. */
export interface DeliveryStatus {
  reportingMta: string | null;
  recipients: DsnRecipient[];
}

const FIELD_LINE = /^([A-Za-z][A-Za-z0-9-]*):[ \t]*(.*)$/;

/** Splits a text into blocks of fields, skipping lines that are not fields or continuations. */
export function parseFieldBlocks(text: string): FieldBlock[] {
  const blocks: FieldBlock[] = [];
  let block: FieldBlock = new Map();
  let last: string[] | null = null;
  const finish = (): void => {
    if (block.size > 0) blocks.push(block);
    block = new Map();
    last = null;
  };
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      finish();
      continue;
    }
    if (/^[ \t]/.test(line) && last !== null) {
      const values: string[] = last;
      values[values.length - 1] = `${values.at(-1) ?? ''} ${line.trim()}`;
      continue;
    }
    const match = FIELD_LINE.exec(line);
    if (!match) {
      last = null;
      continue;
    }
    const name = (match[1] ?? '').toLowerCase();
    const values = block.get(name) ?? [];
    values.push((match[2] ?? '').trim());
    block.set(name, values);
    last = values;
  }
  finish();
  return blocks;
}

/** Returns the first value of a field, or null. */
export function field(block: FieldBlock, name: string): string | null {
  return block.get(name)?.[0] ?? null;
}

/** Splits a typed value such as "rfc822; user@example.com" into its type and value. */
export function splitTyped(value: string | null): { type: string | null; value: string | null } {
  if (value === null) return { type: null, value: null };
  const match = /^([\w-]+)\s*;\s*([\s\S]*)$/.exec(value);
  if (!match) return { type: null, value: value.trim() || null };
  return { type: (match[1] ?? '').toLowerCase(), value: (match[2] ?? '').trim() || null };
}

/** Strips angle brackets and an RFC 5321 source route ("@relay:user@host") from an address. */
export function cleanAddress(value: string | null): string | null {
  if (value === null) return null;
  let address = value.trim().replace(/^<|>$/g, '');
  const route = address.lastIndexOf(':');
  if (route >= 0) address = address.slice(route + 1);
  return address.includes('@') ? address : null;
}

function hostOf(value: string | null): string | null {
  const host = splitTyped(value).value;
  return host ? (host.split(/[\s[(]/)[0] ?? null) || null : null;
}

function recipientOf(block: FieldBlock): DsnRecipient {
  const diagnostic = splitTyped(field(block, 'diagnostic-code'));
  const final = cleanAddress(splitTyped(field(block, 'final-recipient')).value);
  const original = cleanAddress(splitTyped(field(block, 'original-recipient')).value);
  // A Final-Recipient without a domain (an LMTP mailbox such as "user@server") names the
  // receiver's internal mailbox, so the address the sender wrote is the better one.
  const address = final && /@[^@]+\.[^@]+$/.test(final) ? final : (original ?? final);
  return {
    address,
    action: field(block, 'action')?.toLowerCase().split(/\s/)[0] ?? null,
    status: field(block, 'status'),
    remoteMta: hostOf(field(block, 'remote-mta')),
    diagnostic: diagnostic.value,
    diagnosticType: diagnostic.type,
  };
}

/** Parses the message/delivery-status fields, also when a server pasted them into plain text. */
export function parseDeliveryStatus(text: string): DeliveryStatus {
  const blocks = parseFieldBlocks(text);
  let reportingMta: string | null = null;
  const recipients: DsnRecipient[] = [];
  for (const block of blocks) {
    reportingMta ??= hostOf(field(block, 'reporting-mta'));
    if (block.has('final-recipient') || block.has('original-recipient')) {
      recipients.push(recipientOf(block));
    }
  }
  return { reportingMta, recipients };
}
