import { type Tone, badge, codeBlock, descriptionList, el } from './dom.js';
import { METHOD_LABELS, OUTCOME_LABELS, labelFor } from './format.js';
import { publishRecords } from './publish-records.js';
import { requirementList } from './requirements.js';
import type { MethodVerdict, Outcome } from './types.js';

const OUTCOME_TONES: Record<Outcome, Exclude<Tone, 'neutral'>> = {
  deliver: 'ok',
  at_risk: 'warn',
  quarantine: 'bad',
  reject: 'bad',
};

/** Maps an SPF, DKIM or DMARC result word, or a DKIM key status, to a badge tone. */
export function resultTone(result: string): Tone {
  if (result === 'pass' || result === 'valid') return 'ok';
  if (result === 'fail' || result === 'permerror' || result === 'revoked' || result === 'invalid') {
    return 'bad';
  }
  if (result === 'softfail' || result === 'temperror' || result === 'missing') return 'warn';
  return 'neutral';
}

export function resultBadge(result: string): HTMLSpanElement {
  return badge(result, resultTone(result));
}

/** Creates the card for one method's verdict, with id `verdict-<method>`. */
export function verdictCard(verdict: MethodVerdict): HTMLElement {
  const known = Object.hasOwn(OUTCOME_TONES, verdict.outcome);
  const tone = known ? OUTCOME_TONES[verdict.outcome] : 'warn';
  const header = el('header', { className: 'verdict-header' }, [
    el('h4', { text: labelFor(METHOD_LABELS, verdict.method) }),
    el('span', {
      className: `badge badge-${tone} outcome`,
      text: labelFor(OUTCOME_LABELS, verdict.outcome),
    }),
  ]);
  return el(
    'section',
    {
      className: `card verdict tone-${tone}`,
      attrs: { id: `verdict-${verdict.method}`, 'data-outcome': verdict.outcome },
    },
    [
      header,
      authResults(verdict),
      identities(verdict),
      reasons(verdict),
      verdict.requirements ? requirementList(verdict.requirements) : null,
      fixes(verdict),
      verdict.records ? publishRecords(verdict.records) : null,
    ],
  );
}

function authResults(verdict: MethodVerdict): HTMLDListElement {
  const { spf, dkim, dmarc } = verdict;
  const dkimDomain = dkim.domain ? `d=${dkim.domain}` : 'no signature';
  const selector = verdict.identities.dkimSelector ? ` s=${verdict.identities.dkimSelector}` : '';
  return descriptionList(
    [
      ['SPF', resultLine(spf.result, `for ${spf.domain}`, spf.aligned)],
      ['DKIM', resultLine(dkim.result, `${dkimDomain}${selector}`, dkim.aligned)],
      ['DMARC', resultLine(dmarc.result, `policy ${dmarc.policy ?? 'none published'}`, null)],
    ],
    'auth-results',
  );
}

/** Creates a result badge with its subject and, unless `aligned` is null, the alignment. */
function resultLine(result: string, subject: string, aligned: boolean | null): HTMLSpanElement {
  let alignment: HTMLSpanElement | null = null;
  if (aligned !== null) {
    const text = aligned ? 'aligned' : 'not aligned';
    alignment = el('span', { className: aligned ? 'aligned' : 'not-aligned', text });
  }
  return el('span', { className: 'result-line' }, [
    resultBadge(result),
    el('span', { text: subject }),
    alignment,
  ]);
}

function identities(verdict: MethodVerdict): HTMLDetailsElement {
  const { headerFrom, envelopeFrom, sendingIps } = verdict.identities;
  const ips = sendingIps.length > 0 ? sendingIps.join(', ') : 'not known';
  return el('details', { className: 'identities' }, [
    el('summary', { text: 'Identities receivers see' }),
    descriptionList([
      ['From', headerFrom],
      ['Envelope from', envelopeFrom],
      ['Sending IPs', ips],
    ]),
  ]);
}

function reasons(verdict: MethodVerdict): HTMLElement {
  if (verdict.reasons.length === 0) {
    return el('p', { className: 'muted', text: 'No problems found.' });
  }
  return el('div', { className: 'reasons' }, [
    el('h5', { text: 'Why' }),
    el(
      'ul',
      {},
      verdict.reasons.map((text) => el('li', { text })),
    ),
  ]);
}

/**
 * Creates the list of fixes. The server leaves out the fixes that repeat a record of the
 * records table, so each record to publish shows once, in that table.
 */
function fixes(verdict: MethodVerdict): HTMLElement | null {
  const listed = verdict.fixes;
  if (listed.length === 0) return null;
  return el('div', { className: 'fixes' }, [
    el('h5', { text: 'How to fix' }),
    el(
      'ul',
      {},
      listed.map((text) => el('li', {}, [fixItem(text)])),
    ),
  ]);
}

/** A record fix reads `TYPE NAME VALUE`, with an optional note in brackets after a quoted value. */
const RECORD_FIX = /^(TXT|CNAME|MX) (\S+) ("[^"]*"|\S+)( \(.*\))?$/;

/**
 * Shows a record to publish as code whose Copy button copies the value alone, so neither the
 * name nor the note ends up in the DNS record; other fixes are plain advice.
 */
function fixItem(text: string): HTMLElement {
  const match = RECORD_FIX.exec(text);
  if (!match) return el('p', { className: 'fix-advice', text });
  const value = match[3]?.replace(/^"|"$/g, '') ?? '';
  return codeBlock(text, value);
}
