import type { Resolver } from '../../dns/types.js';
import { finding } from '../findings.js';
import type { Finding } from '../types.js';
import { lookupTxt } from './lookup.js';
import { parseTagList, recordsWithVersion, tagValue } from './tags.js';
import type { PartResult, TlsRptReport } from './types.js';

const VERSION = 'v=TLSRPTv1';

/**
 * Checks the SMTP TLS Reporting record at `_smtp._tls.<domain>` (RFC 8460 3): one record that
 * starts with `v=TLSRPTv1` and has `rua` with one or more `mailto:` or `https:` URIs.
 */
export async function checkTlsRpt(
  resolver: Resolver,
  domain: string,
): Promise<PartResult<TlsRptReport>> {
  const name = `_smtp._tls.${domain}`;
  const answer = await lookupTxt(resolver, name);
  const empty: TlsRptReport = { status: 'none', records: [], rua: [] };
  if (answer.status === 'temperror') {
    return {
      result: { ...empty, status: 'temperror' },
      findings: [
        finding(
          'tlsrpt.temperror',
          'warning',
          `The TXT lookup of ${name} failed (${answer.code}).`,
        ),
      ],
    };
  }

  const records = answer.status === 'found' ? recordsWithVersion(answer.answer, VERSION) : [];
  if (records.length === 0) {
    return { result: empty, findings: [missingFinding(name)] };
  }

  // RFC 8460 3: with more than one record, senders assume the domain has no TLS reporting.
  if (records.length > 1) {
    return {
      result: { status: 'invalid', records, rua: [] },
      findings: [
        invalidFinding(
          name,
          `${records.length} v=TLSRPTv1 records are published, and senders ignore them all`,
        ),
      ],
    };
  }
  const record = records[0] ?? '';
  const parsed = parseRua(record);
  if (typeof parsed === 'string') {
    return {
      result: { status: 'invalid', records, rua: [] },
      findings: [invalidFinding(name, parsed)],
    };
  }
  return { result: { status: 'valid', records, rua: parsed }, findings: [] };
}

/** Returns the record's `rua` URIs, or the reason the record is invalid. */
function parseRua(record: string): string[] | string {
  const tags = parseTagList(record);
  if (!tags.ok) {
    return tags.error;
  }
  const rua = tagValue(tags.tags, 'rua');
  if (rua === undefined || rua.trim() === '') {
    return 'the rua tag is missing';
  }
  // RFC 8460 3: tlsrpt-rua is a comma-separated list; commas and semicolons inside a URI must be
  // percent-encoded, so splitting on commas is exact.
  const uris = rua.split(',').map((uri) => uri.trim());
  const invalid = uris.find((uri) => !isReportUri(uri));
  if (invalid !== undefined) {
    return `rua "${invalid}" is not a mailto: address or an https: URL`;
  }
  return uris;
}

function isReportUri(uri: string): boolean {
  if (/^mailto:[^@\s]+@[^@\s]+\.[^@\s]+$/i.test(uri)) {
    return true;
  }
  try {
    const url = new URL(uri);
    return url.protocol === 'https:' && url.hostname !== '';
  } catch {
    return false;
  }
}

function missingFinding(name: string): Finding {
  return finding(
    'tlsrpt.missing',
    'info',
    `No TLS-RPT record at ${name}, so senders do not report TLS failures delivering to this domain (RFC 8460).`,
    `Publish TXT ${name} "v=TLSRPTv1; rua=mailto:tls-reports@<your domain>".`,
  );
}

function invalidFinding(name: string, reason: string): Finding {
  return finding(
    'tlsrpt.invalid',
    'warning',
    `The TLS-RPT record at ${name} is invalid: ${reason}. Senders ignore it and send no reports.`,
    `Publish one TXT record at ${name} of the form "v=TLSRPTv1; rua=mailto:tls-reports@<your domain>".`,
  );
}
