import type { MessageAnalysis } from './types.js';

function list(title: string, lines: string[]): string[] {
  if (lines.length === 0) return [];
  return [title, ...lines.map((line) => `  - ${line}`)];
}

function envelopeLine(analysis: MessageAnalysis): string {
  const { envelope } = analysis;
  const sender = envelope.sender ? `${envelope.sender} (from ${envelope.senderSource})` : 'none';
  let ip = 'none found';
  if (envelope.ipSource === 'given') ip = `${envelope.ip} (given)`;
  if (envelope.ipSource === 'received') ip = `${envelope.ip} (from hop ${envelope.ipHop})`;
  return `Envelope: sender ${sender}; client IP ${ip}; HELO ${envelope.helo ?? 'unknown'}`;
}

function dkimLines(analysis: MessageAnalysis): string[] {
  if (analysis.dkim.length === 0) return ['DKIM: no signature'];
  return list(
    'DKIM:',
    analysis.dkim.map((signature) => {
      const details = [
        signature.aligned ? 'aligned' : 'not aligned',
        signature.algorithm,
        signature.keyBits ? `${signature.keyBits}-bit key` : null,
        signature.reason,
      ].filter(Boolean);
      return `d=${signature.domain} s=${signature.selector}: ${signature.result} (${details.join(', ')})`;
    }),
  );
}

function hopLines(analysis: MessageAnalysis): string[] {
  return list(
    'Hops (oldest first):',
    analysis.hops.map((hop) => {
      const delay = hop.delaySeconds === null ? '' : ` (+${hop.delaySeconds} s)`;
      const parts = [
        hop.from ? `from ${hop.from}` : null,
        hop.by ? `by ${hop.by}` : null,
        hop.with ? `with ${hop.with}` : null,
      ].filter(Boolean);
      return `${hop.hop}. ${hop.at ?? 'no date'}${delay}: ${parts.join(' ')}`;
    }),
  );
}

/** Formats an analysis as text for the terminal: the diagnosis first, then each result. */
export function formatAnalysis(analysis: MessageAnalysis): string {
  const { spf, dmarc, arc, method } = analysis;
  const spfText = spf.evaluated
    ? `SPF: ${spf.result} for ${spf.domain} (${spf.aligned ? 'aligned' : 'not aligned'})`
    : `SPF: not evaluated. ${spf.explanation}`;
  const dmarcText =
    `DMARC: ${dmarc.result} for ${dmarc.domain ?? 'no From domain'}, policy ${dmarc.policy ?? 'none'}, ` +
    `disposition ${dmarc.disposition}; aligned SPF ${dmarc.alignment.spf ?? '-'}, aligned DKIM ${dmarc.alignment.dkim ?? '-'}`;
  return [
    `Diagnosis: ${analysis.diagnosis.summary}`,
    ...list(
      'Causes:',
      analysis.diagnosis.causes.map((cause) => `[${cause.code}] ${cause.message}`),
    ),
    ...list(
      'Notes:',
      analysis.diagnosis.notes.map((note) => `[${note.code}] ${note.message}`),
    ),
    '',
    `From: ${analysis.from.address ?? (analysis.from.addresses.join(', ') || 'none')}`,
    envelopeLine(analysis),
    spfText,
    ...dkimLines(analysis),
    dmarcText,
    `ARC: ${arc.result} (${arc.chainLength} set${arc.chainLength === 1 ? '' : 's'})${arc.explanation ? `: ${arc.explanation}` : ''}`,
    `Sending method: ${method.method} (${method.evidence.join('; ')})`,
    ...hopLines(analysis),
  ].join('\n');
}
