import { el } from './dom.js';
import type { CodedMessage, Finding, FindingLists } from './types.js';

/** A report with `errors` and `warnings` lists and the findings they were made from. */
export interface IssueSource extends Partial<FindingLists> {
  findings: Finding[];
}

type Severity = Finding['severity'];

const GROUP_TITLES: Record<Severity, string> = {
  error: 'Errors',
  warning: 'Warnings',
  info: 'Notes',
};

/**
 * Creates the errors, then the warnings, then the informational findings of a report, each
 * message with its finding code in a label and its fix, if any. `includeCode` keeps only the
 * codes it accepts, so that one report's findings can be split over several cards. Returns
 * null when nothing is left to show.
 */
export function issueList(
  source: IssueSource,
  includeCode: (code: string) => boolean = () => true,
): HTMLElement | null {
  const groups = (['error', 'warning', 'info'] as const)
    .map((severity) => {
      const items = messagesOf(source, severity).filter((item) => includeCode(item.code));
      return items.length > 0 ? issueGroup(severity, items, source.findings) : null;
    })
    .filter((group) => group !== null);
  return groups.length > 0 ? el('div', { className: 'issues' }, groups) : null;
}

/**
 * Returns the `errors` or `warnings` list of the report, or for a server that sends neither,
 * the findings of that severity. Informational findings have no list of their own.
 */
function messagesOf(source: IssueSource, severity: Severity): CodedMessage[] {
  let list: CodedMessage[] | undefined;
  if (severity === 'error') list = source.errors;
  if (severity === 'warning') list = source.warnings;
  return list ?? source.findings.filter((finding) => finding.severity === severity);
}

function issueGroup(severity: Severity, items: CodedMessage[], findings: Finding[]): HTMLElement {
  return el(
    'section',
    { className: `issue-group issue-group-${severity}`, attrs: { 'data-severity': severity } },
    [
      el('h5', { text: `${GROUP_TITLES[severity]} (${items.length})` }),
      el(
        'ul',
        {},
        items.map((item) => issueItem(item, findings)),
      ),
    ],
  );
}

function issueItem(item: CodedMessage, findings: Finding[]): HTMLLIElement {
  // The lists carry no fix, so it comes from the finding with the same code and message.
  const fix = findings.find(
    (finding) => finding.code === item.code && finding.message === item.message,
  )?.fix;
  return el('li', { className: 'issue', attrs: { 'data-code': item.code } }, [
    codeLabel(item.code),
    el('span', { className: 'issue-message', text: item.message }),
    fix ? el('p', { className: 'issue-fix' }, [el('strong', { text: 'Fix: ' }), fix]) : null,
  ]);
}

/** Creates the small monospace label that shows a finding code such as `spf.ptr`. */
export function codeLabel(code: string): HTMLElement {
  return el('code', { className: 'issue-code', text: code });
}
