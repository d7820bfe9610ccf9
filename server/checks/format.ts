import type { DomainCheck, Finding, MethodVerdict, SpfNode } from './types.js';

const OUTCOME_LABELS: Record<MethodVerdict['outcome'], string> = {
  deliver: 'DELIVERED',
  at_risk: 'AT RISK',
  quarantine: 'SPAM FOLDER',
  reject: 'REJECTED',
};

/** Formats a domain check as plain text for a terminal: one section per part, one line per method. */
export function formatDomainCheck(check: DomainCheck): string {
  const lines: string[] = [`Domain ${check.domain} (checked ${check.checkedAt})`, ''];
  if (check.missing) {
    lines.push(`WARNING: ${check.missing.message} ${check.missing.fix ?? ''}`.trim(), '');
  }
  const failed = failedParts(check);
  if (failed.length > 0) {
    lines.push(
      `WARNING: DNS lookups failed for ${failed.join(', ')}, so the results below are incomplete: check the DNS servers and run the check again.`,
      '',
    );
  }
  lines.push(...formatSpf(check), '');
  lines.push(...formatDkim(check), '');
  lines.push(...formatDmarc(check), '');
  lines.push(...formatRelated(check), '');
  lines.push('Sending methods');
  for (const verdict of Object.values(check.methods)) {
    lines.push(...formatVerdict(verdict));
  }
  return lines.join('\n');
}

/** Returns the parts of the check whose DNS lookups failed (temperror). */
export function failedParts(check: DomainCheck): string[] {
  const failed: string[] = [];
  if (check.spf.status === 'temperror') failed.push('SPF');
  if (check.dkim.selectors.some((s) => s.status === 'temperror')) failed.push('DKIM');
  if (check.dmarc.status === 'temperror') failed.push('DMARC');
  return failed;
}

function formatSpf(check: DomainCheck): string[] {
  const { spf } = check;
  const lines = [
    `SPF: ${spf.status ?? 'unknown'}, ${spf.lookups}/10 lookups, ${spf.voidLookups}/2 void lookups`,
    `  record: ${spf.record ?? '(none)'}`,
  ];
  if (spf.tree) {
    lines.push('  tree:', ...formatTree(spf.tree, 2));
  }
  return [...lines, ...formatFindings(spf.findings)];
}

function formatTree(node: SpfNode, depth: number): string[] {
  const via = node.via ? `${node.via} ` : '';
  const problems = node.findings.some((item) => item.severity === 'error') ? ' [error]' : '';
  const noun = node.lookups === 1 ? 'lookup' : 'lookups';
  const own = `${'  '.repeat(depth)}${via}${node.domain}: ${node.lookups} ${noun}${problems}`;
  return [own, ...node.children.flatMap((child) => formatTree(child, depth + 1))];
}

function formatDkim(check: DomainCheck): string[] {
  const lines = ['DKIM'];
  for (const selector of check.dkim.selectors) {
    const key = selector.keyType
      ? ` ${selector.keyType}${selector.keyBits ? ` ${selector.keyBits} bits` : ''}`
      : '';
    lines.push(`  ${selector.name} (${selector.usedBy.join(', ')}): ${selector.status}${key}`);
  }
  return [...lines, ...formatFindings(check.dkim.findings)];
}

function formatDmarc(check: DomainCheck): string[] {
  const { dmarc } = check;
  const where = dmarc.recordDomain
    ? ` at _dmarc.${dmarc.recordDomain}${dmarc.inherited ? ' (inherited)' : ''}`
    : '';
  const lines = [
    `DMARC: ${dmarc.status ?? 'unknown'}${where}`,
    `  record: ${dmarc.record ?? '(none)'}`,
  ];
  // Without a usable record the tag values are only defaults, which would read as published.
  if (dmarc.policy !== null) {
    lines.push(
      `  policy ${dmarc.policy}, subdomains ${dmarc.subdomainPolicy ?? '-'}, pct ${dmarc.pct}, adkim ${dmarc.adkim}, aspf ${dmarc.aspf}`,
    );
  }
  if (dmarc.rua.length > 0) {
    lines.push(`  reports to ${dmarc.rua.join(', ')}`);
  }
  return [...lines, ...formatFindings(dmarc.findings)];
}

function formatVerdict(verdict: MethodVerdict): string[] {
  const spf = `SPF ${verdict.spf.result}${verdict.spf.aligned ? ' aligned' : ''}`;
  const dkim = `DKIM ${verdict.dkim.result}${verdict.dkim.aligned ? ' aligned' : ''}`;
  const lines = [
    `  ${verdict.method}: ${OUTCOME_LABELS[verdict.outcome]} (${spf}, ${dkim}, DMARC ${verdict.dmarc.result}; From ${verdict.identities.headerFrom})`,
  ];
  lines.push(...verdict.reasons.map((reason) => `    - ${reason}`));
  lines.push(...verdict.fixes.map((fix) => `    fix: ${fix}`));
  for (const record of verdict.records ?? []) {
    const action = record.replaces ? 'replace with' : 'publish';
    lines.push(
      `    ${action}: ${record.type} ${record.name} "${record.value}"`,
      `      ${record.note}`,
    );
  }
  const checklist = (verdict.requirements ?? []).map(
    (item) => `${item.status === 'pass' ? '+' : item.status === 'fail' ? '-' : '?'} ${item.label}`,
  );
  if (checklist.length > 0) lines.push(`    Google/Yahoo/Microsoft: ${checklist.join('; ')}`);
  return lines;
}

function formatRelated(check: DomainCheck): string[] {
  const { related } = check;
  const mx = related.mx.hosts.map((host) => `${host.priority} ${host.exchange}`).join(', ');
  const lines = [
    'Related checks',
    `  MX: ${related.mx.status}${mx ? ` (${mx})` : ''}`,
    ...related.reverseDns.map((r) => `  reverse DNS ${r.ip}: ${r.status}`),
    ...related.blocklists.map((b) => `  blocklist ${b.zone} ${b.ip}: ${b.status}`),
    `  MTA-STS: ${related.mtaSts.status}; TLS-RPT: ${related.tlsRpt.status}; BIMI: ${related.bimi.status}`,
  ];
  return [...lines, ...formatFindings(related.findings)];
}

function formatFindings(findings: Finding[]): string[] {
  return findings.flatMap((item) => {
    const lines = [`  ${item.severity.toUpperCase()} ${item.code}: ${item.message}`];
    return item.fix ? [...lines, `    fix: ${item.fix}`] : lines;
  });
}
