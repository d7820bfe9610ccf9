import { el } from './dom.js';
import { issueList } from './issues.js';
import { dataTable, relatedCard, statusBadge, td } from './related-card.js';
import { bimiCard, mtaStsCard, tlsRptCard } from './related-policies.js';
import type { BlocklistResult, MxHost, RelatedReport, ReverseDnsResult } from './types.js';

/** Finding code prefixes that each have a card. Findings with other codes go below the cards. */
const CARD_CODE_PREFIXES = ['mx.', 'rdns.', 'dnsbl.', 'mta_sts.', 'tlsrpt.', 'bimi.'];

const MX_LABELS: Record<RelatedReport['mx']['status'], string> = {
  records: 'MX records found',
  null: 'null MX: accepts no mail',
  implicit: 'no MX, mail goes to the domain',
  none: 'no MX and no address',
  temperror: 'lookup failed',
};

/**
 * Creates the section with id `related-checks`: MX, reverse DNS of the sending IPs,
 * blocklists, MTA-STS, TLS-RPT and BIMI, each a card with id `related-<check>`.
 */
export function relatedSection(related: RelatedReport): HTMLElement {
  const other = issueList(
    related,
    (code) => !CARD_CODE_PREFIXES.some((prefix) => code.startsWith(prefix)),
  );
  return el('section', { className: 'related-checks', attrs: { id: 'related-checks' } }, [
    el('h3', { text: 'Beyond authentication' }),
    el('p', {
      className: 'muted',
      text: 'Mail receiving, reverse DNS and blocklists of the sending IPs, and transport and logo policies.',
    }),
    el('div', { className: 'related-grid' }, [
      mxCard(related),
      reverseDnsCard(related),
      blocklistCard(related),
      mtaStsCard(related),
      tlsRptCard(related),
      bimiCard(related),
    ]),
    other ? el('div', { className: 'card related-other' }, [other]) : null,
  ]);
}

function mxCard(related: RelatedReport): HTMLElement {
  const { mx } = related;
  const label = Object.hasOwn(MX_LABELS, mx.status) ? MX_LABELS[mx.status] : mx.status;
  const tones = { none: 'bad', null: 'neutral' } as const;
  const hosts =
    mx.hosts.length > 0
      ? dataTable(['Priority', 'Exchange', 'Status', 'Addresses'], mx.hosts.map(mxRow))
      : null;
  const delivery =
    mx.status === 'implicit' && mx.deliveryHosts.length > 0
      ? el('p', { text: `Mail is delivered to ${mx.deliveryHosts.join(', ')}.` })
      : null;
  return relatedCard(
    related,
    {
      id: 'mx',
      title: 'MX records',
      status: mx.status,
      badge: statusBadge(mx.status, tones, label),
      codePrefix: 'mx.',
    },
    [hosts, delivery],
  );
}

function mxRow(host: MxHost): HTMLTableRowElement {
  const addresses = host.addresses.length > 0 ? host.addresses.join(', ') : '—';
  const alias = host.cname
    ? el('span', { className: 'muted', text: ` CNAME to ${host.cname}` })
    : null;
  return el('tr', { attrs: { 'data-exchange': host.exchange, 'data-status': host.status } }, [
    td(String(host.priority), 'numeric-cell'),
    td([el('code', { text: host.exchange }), alias]),
    td([statusBadge(host.status)]),
    td(addresses),
  ]);
}

function reverseDnsCard(related: RelatedReport): HTMLElement {
  const results = related.reverseDns;
  const status = worstStatus(
    results.map((result) => result.status),
    ['mismatch', 'none', 'temperror', 'pass'],
  );
  const content =
    results.length > 0
      ? dataTable(['Sending IP', 'PTR names', 'Status'], results.map(reverseDnsRow))
      : el('p', { className: 'muted', text: 'No sending IP is known, so nothing was checked.' });
  return relatedCard(
    related,
    {
      id: 'reverse-dns',
      title: 'Reverse DNS',
      status,
      badge: statusBadge(status, { none: 'bad' }, reverseDnsLabel(status)),
      codePrefix: 'rdns.',
    },
    [content],
  );
}

function reverseDnsLabel(status: string): string {
  if (status === 'pass') return 'forward-confirmed';
  if (status === 'none') return 'no PTR';
  return status.replaceAll('_', ' ');
}

function reverseDnsRow(result: ReverseDnsResult): HTMLTableRowElement {
  const names =
    result.hostnames.length > 0
      ? result.hostnames.map((name) =>
          el('code', {
            className: name === result.confirmedName ? 'ptr-name confirmed' : 'ptr-name',
            text: name,
          }),
        )
      : [el('span', { className: 'muted', text: 'none' })];
  return el('tr', { attrs: { 'data-ip': result.ip, 'data-status': result.status } }, [
    td([el('code', { text: result.ip })]),
    td(names, 'ptr-names'),
    td([statusBadge(result.status, { none: 'bad' }, reverseDnsLabel(result.status))]),
  ]);
}

function blocklistCard(related: RelatedReport): HTMLElement {
  const results = related.blocklists;
  const status = worstStatus(
    results.map((result) => result.status),
    ['listed', 'unknown', 'not_listed'],
  );
  const listed = results.filter((result) => result.status === 'listed').length;
  const label = listed > 0 ? `listed ${listed} ${listed === 1 ? 'time' : 'times'}` : undefined;
  const content =
    results.length > 0
      ? dataTable(['Sending IP', 'List', 'Status', 'Answer'], results.map(blocklistRow))
      : el('p', {
          className: 'muted',
          text: 'No blocklist was queried: none is configured on the server, or no sending IP is known.',
        });
  return relatedCard(
    related,
    {
      id: 'blocklists',
      title: 'Blocklists',
      status,
      badge: statusBadge(status, {}, label),
      codePrefix: 'dnsbl.',
    },
    [content],
  );
}

function blocklistRow(result: BlocklistResult): HTMLTableRowElement {
  const codes = result.codes.length > 0 ? el('code', { text: result.codes.join(', ') }) : null;
  const reason = result.reason
    ? el('span', { className: 'dnsbl-reason', text: result.reason })
    : null;
  return el(
    'tr',
    { attrs: { 'data-ip': result.ip, 'data-zone': result.zone, 'data-status': result.status } },
    [
      td([el('code', { text: result.ip })]),
      td([el('code', { text: result.zone })]),
      td([statusBadge(result.status)]),
      td(codes || reason ? [codes, reason] : '—'),
    ],
  );
}

/**
 * Returns the first status of `order` that occurs in `statuses`, so a card shows its worst
 * row, or `not_checked` when there are no rows. Unexpected statuses come first.
 */
function worstStatus(statuses: string[], order: string[]): string {
  if (statuses.length === 0) return 'not_checked';
  const unexpected = statuses.find((status) => !order.includes(status));
  return unexpected ?? order.find((status) => statuses.includes(status)) ?? 'not_checked';
}
