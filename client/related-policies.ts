import { codeBlock, descriptionList, el } from './dom.js';
import { formatCount, labelFor, pluralize } from './format.js';
import { dataTable, relatedCard, statusBadge, td } from './related-card.js';
import type { BimiReport, MtaStsReport, RelatedReport, TlsRptReport } from './types.js';

const MTA_STS_LABELS: Record<MtaStsReport['status'], string> = {
  none: 'not published',
  invalid: 'invalid record',
  valid: 'valid',
  policy_missing: 'policy not found',
  policy_invalid: 'invalid policy',
  fetch_failed: 'policy fetch failed',
  temperror: 'lookup failed',
};

const TLS_RPT_LABELS: Record<TlsRptReport['status'], string> = {
  none: 'not published',
  valid: 'valid',
  invalid: 'invalid record',
  temperror: 'lookup failed',
};

const BIMI_LABELS: Record<BimiReport['status'], string> = {
  none: 'not published',
  valid: 'valid',
  invalid: 'invalid record',
  declined: 'declined',
  temperror: 'lookup failed',
};

const SECONDS_PER_DAY = 86_400;

/** Creates the MTA-STS card: the TXT records, the policy and which delivery hosts it covers. */
export function mtaStsCard(related: RelatedReport): HTMLElement {
  const { mtaSts } = related;
  const { policy } = mtaSts;
  const label =
    mtaSts.status === 'valid' && policy
      ? `valid, ${policy.mode}`
      : labelFor(MTA_STS_LABELS, mtaSts.status);
  const facts: [string, string][] = [];
  if (mtaSts.id !== null) facts.push(['Policy ID', mtaSts.id]);
  if (policy) {
    facts.push(['Mode', policy.mode]);
    facts.push(['Max age', formatMaxAge(policy.maxAge)]);
    facts.push(['MX patterns', policy.mx.length > 0 ? policy.mx.join(', ') : 'none']);
  }
  return relatedCard(
    related,
    {
      id: 'mta-sts',
      title: 'MTA-STS',
      status: mtaSts.status,
      badge: statusBadge(mtaSts.status, {}, label),
      codePrefix: 'mta_sts.',
    },
    [
      ...mtaSts.records.map((record) => codeBlock(record)),
      facts.length > 0 ? descriptionList(facts, 'facts') : null,
      coverageTable(mtaSts),
    ],
  );
}

function formatMaxAge(seconds: number): string {
  const days = seconds / SECONDS_PER_DAY;
  const inDays = Number.isInteger(days) ? ` (${pluralize(days, 'day')})` : '';
  return `${formatCount(seconds)} seconds${inDays}`;
}

function coverageTable(mtaSts: MtaStsReport): HTMLElement | null {
  if (mtaSts.coverage.length === 0) return null;
  const rows = mtaSts.coverage.map((entry) =>
    el(
      'tr',
      { attrs: { 'data-host': entry.host, 'data-covered': String(entry.pattern !== null) } },
      [
        td([el('code', { text: entry.host })]),
        td(
          entry.pattern === null
            ? [statusBadge('not_covered', { not_covered: 'bad' })]
            : [el('code', { text: entry.pattern })],
        ),
      ],
    ),
  );
  return dataTable(['Delivery host', 'Covered by'], rows);
}

/** Creates the TLS-RPT card: the TXT records and where reports go. */
export function tlsRptCard(related: RelatedReport): HTMLElement {
  const { tlsRpt } = related;
  const reports =
    tlsRpt.rua.length > 0
      ? descriptionList([['Reports to', tlsRpt.rua.join(', ')]], 'facts')
      : null;
  return relatedCard(
    related,
    {
      id: 'tls-rpt',
      title: 'TLS-RPT',
      status: tlsRpt.status,
      badge: statusBadge(tlsRpt.status, {}, labelFor(TLS_RPT_LABELS, tlsRpt.status)),
      codePrefix: 'tlsrpt.',
    },
    [...tlsRpt.records.map((record) => codeBlock(record)), reports],
  );
}

/** Creates the BIMI card: the record, its logo and certificate URLs, and DMARC enforcement. */
export function bimiCard(related: RelatedReport): HTMLElement {
  const { bimi } = related;
  const facts: [string, string][] = [['Queried', bimi.name]];
  if (bimi.record !== null) {
    facts.push(['Logo (l=)', bimi.logo ?? 'none']);
    facts.push(['Certificate (a=)', bimi.authority ?? 'none']);
  }
  if (bimi.dmarcEnforced !== null) {
    facts.push(['DMARC enforced', bimi.dmarcEnforced ? 'yes' : 'no']);
  }
  return relatedCard(
    related,
    {
      id: 'bimi',
      title: 'BIMI',
      status: bimi.status,
      badge: statusBadge(bimi.status, {}, labelFor(BIMI_LABELS, bimi.status)),
      codePrefix: 'bimi.',
    },
    [bimi.record === null ? null : codeBlock(bimi.record), descriptionList(facts, 'facts')],
  );
}
