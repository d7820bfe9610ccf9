import { badge, descriptionList, el, tableScroller } from './dom.js';
import { formatDateTime } from './format.js';
import type { AnalysisCause, AnalysisHop, MessageAnalysis } from './types.js';
import { resultBadge } from './verdicts.js';

const METHOD_NAMES: Record<MessageAnalysis['method']['method'], string> = {
  default: 'Platform default',
  smtp: 'Own SMTP server',
  mandrill: 'Mandrill',
  unknown: 'Unknown method',
};

function causeList(causes: AnalysisCause[], className: string): HTMLUListElement {
  return el(
    'ul',
    { className },
    causes.map((cause) =>
      el('li', { attrs: { 'data-code': cause.code } }, [
        el('code', { text: cause.code }),
        ' ',
        el('span', { text: cause.message }),
      ]),
    ),
  );
}

function diagnosisCard(analysis: MessageAnalysis): HTMLElement {
  const { disposition, result } = analysis.dmarc;
  const failing = result === 'fail' && disposition !== 'none';
  let tone = 'ok';
  if (analysis.diagnosis.causes.length > 0) tone = 'warn';
  if (failing) tone = 'bad';
  return el(
    'section',
    { className: `card verdict tone-${tone}`, attrs: { id: 'analysis-diagnosis' } },
    [
      el('header', { className: 'verdict-header' }, [
        el('h4', { text: 'Diagnosis' }),
        badge(METHOD_NAMES[analysis.method.method] ?? analysis.method.method, 'neutral'),
      ]),
      el('p', { className: 'analysis-summary', text: analysis.diagnosis.summary }),
      analysis.diagnosis.causes.length > 0
        ? causeList(analysis.diagnosis.causes, 'analysis-causes')
        : null,
      analysis.diagnosis.notes.length > 0
        ? causeList(analysis.diagnosis.notes, 'analysis-notes muted')
        : null,
    ],
  );
}

function alignedText(aligned: boolean): HTMLSpanElement {
  return el('span', {
    className: aligned ? 'aligned' : 'not-aligned',
    text: aligned ? 'aligned' : 'not aligned',
  });
}

function spfEntry(analysis: MessageAnalysis): Node {
  const { spf } = analysis;
  if (!spf.evaluated) return el('span', { text: spf.explanation });
  return el('span', { className: 'result-line' }, [
    resultBadge(spf.result ?? 'none'),
    ` ${spf.domain ?? ''} `,
    alignedText(spf.aligned),
    el('span', { className: 'muted', text: ` ${spf.explanation}` }),
  ]);
}

function dkimEntry(analysis: MessageAnalysis): Node {
  if (analysis.dkim.length === 0) return el('span', { text: 'no signature' });
  return el(
    'ul',
    { className: 'analysis-dkim' },
    analysis.dkim.map((signature) =>
      el('li', { attrs: { 'data-result': signature.result } }, [
        resultBadge(signature.result),
        ` d=${signature.domain} s=${signature.selector} `,
        alignedText(signature.aligned),
        signature.algorithm ? ` ${signature.algorithm}` : '',
        signature.keyBits ? `, ${signature.keyBits}-bit key` : '',
        signature.reason ? el('span', { className: 'muted', text: `: ${signature.reason}` }) : null,
      ]),
    ),
  );
}

function dmarcEntry(analysis: MessageAnalysis): Node {
  const { dmarc } = analysis;
  const aligned = [
    `aligned SPF: ${dmarc.alignment.spf ?? 'none'}`,
    `aligned DKIM: ${dmarc.alignment.dkim ?? 'none'}`,
  ].join(', ');
  return el('span', { className: 'result-line' }, [
    resultBadge(dmarc.result),
    ` policy ${dmarc.policy ?? 'none'}, disposition ${dmarc.disposition}; ${aligned}`,
  ]);
}

function envelopeText(analysis: MessageAnalysis): string {
  const { envelope } = analysis;
  let ip = 'no public client IP found';
  if (envelope.ipSource === 'given') ip = `${envelope.ip} (given)`;
  if (envelope.ipSource === 'received') ip = `${envelope.ip} (from hop ${envelope.ipHop})`;
  return `sender ${envelope.sender ?? 'none'} (${envelope.senderSource}); client IP ${ip}; HELO ${envelope.helo ?? 'unknown'}`;
}

function hopsTable(hops: AnalysisHop[]): HTMLElement {
  if (hops.length === 0) return el('p', { className: 'muted', text: 'No Received fields.' });
  const header = el('thead', {}, [
    el(
      'tr',
      {},
      ['Hop', 'Time', 'Delay', 'From', 'By', 'With', 'IP'].map((title) =>
        el('th', { text: title, attrs: { scope: 'col' } }),
      ),
    ),
  ]);
  const rows = hops.map((hop) =>
    el('tr', { attrs: { 'data-hop': String(hop.hop) } }, [
      el('td', { text: String(hop.hop) }),
      el('td', { text: hop.at ? formatDateTime(hop.at) : 'no date' }),
      el('td', { text: hop.delaySeconds === null ? '' : `${hop.delaySeconds} s` }),
      el('td', { text: hop.from ?? '' }),
      el('td', { text: hop.by ?? '' }),
      el('td', { text: hop.with ?? '' }),
      el('td', { text: hop.ip ?? '' }),
    ]),
  );
  const table = el('table', { className: 'data-table', attrs: { id: 'analysis-hops' } }, [
    header,
    el('tbody', {}, rows),
  ]);
  return tableScroller(table, 'Received hops');
}

/** Renders an analysis: the diagnosis first, then SPF, DKIM, DMARC, ARC and the hops table. */
export function renderAnalysis(container: HTMLElement, analysis: MessageAnalysis): void {
  const arc = `${analysis.arc.result} (${analysis.arc.chainLength} ARC set${analysis.arc.chainLength === 1 ? '' : 's'})`;
  const results = descriptionList(
    [
      ['From', analysis.from.address ?? (analysis.from.addresses.join(', ') || 'none')],
      ['Envelope', envelopeText(analysis)],
      ['SPF', spfEntry(analysis)],
      ['DKIM', dkimEntry(analysis)],
      ['DMARC', dmarcEntry(analysis)],
      ['ARC', analysis.arc.explanation ? `${arc}: ${analysis.arc.explanation}` : arc],
      ['Method', `${analysis.method.method}: ${analysis.method.evidence.join('; ')}`],
    ],
    'facts',
  );
  container.replaceChildren(
    diagnosisCard(analysis),
    el('section', { className: 'card', attrs: { id: 'analysis-results' } }, [
      el('h3', { text: 'Authentication' }),
      results,
    ]),
    el('section', { className: 'card' }, [
      el('h3', { text: 'Received hops' }),
      hopsTable(analysis.hops),
    ]),
  );
}
