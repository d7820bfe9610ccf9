import { errorMessage, fetchDomainCheck, isAbortError } from './api.js';
import { dkimSection, dmarcSection, spfSection } from './dns-records.js';
import { el } from './dom.js';
import { formatDateTime } from './format.js';
import { relatedSection } from './related.js';
import { type DomainCheck, SENDING_METHODS } from './types.js';
import { updateQuery } from './url-state.js';
import { verdictCard } from './verdicts.js';

interface DomainCheckElements {
  form: HTMLFormElement;
  domainInput: HTMLInputElement;
  smtpHostInput: HTMLInputElement;
  submit: HTMLButtonElement;
  error: HTMLElement;
  result: HTMLElement;
}

export interface DomainCheckForm {
  /** Fills in the form and runs a check, for a check shared in the URL. */
  check(domain: string, smtpHost: string): void;
  /** Cancels a check in flight and empties the form, its error and the result. */
  reset(): void;
}

/**
 * Wires the domain check form, which on submit fetches the check and renders the verdicts into
 * the result container. A new check removes the last result when it starts, so that a failed
 * check shows only its message in the form.
 */
export function setUpDomainCheck(elements: DomainCheckElements): DomainCheckForm {
  let pending: AbortController | null = null;

  const run = async (): Promise<void> => {
    const domain = normalizeDomain(elements.domainInput.value);
    const smtpHost = elements.smtpHostInput.value.trim();
    elements.result.replaceChildren();
    if (domain === '') {
      showError(elements, 'Enter a domain to check, such as example.com.');
      elements.domainInput.focus();
      return;
    }
    elements.domainInput.value = domain;
    pending?.abort();
    const controller = new AbortController();
    pending = controller;
    setBusy(elements, true);
    try {
      const check = await fetchDomainCheck(domain, smtpHost || null, controller.signal);
      controller.signal.throwIfAborted();
      showError(elements, null);
      renderDomainCheck(elements.result, check);
      updateQuery({ domain, smtpHost }, false);
    } catch (error) {
      // A reset aborts the check, also when its own 401 ended the session, so nothing shows.
      if (!controller.signal.aborted && !isAbortError(error)) {
        showError(elements, errorMessage(error));
      }
    } finally {
      if (pending === controller) {
        pending = null;
        setBusy(elements, false);
      }
    }
  };

  elements.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run();
  });
  return {
    check(domain, smtpHost) {
      elements.domainInput.value = domain;
      elements.smtpHostInput.value = smtpHost;
      void run();
    },
    reset() {
      pending?.abort();
      pending = null;
      setBusy(elements, false);
      elements.form.reset();
      showError(elements, null);
      elements.result.replaceChildren();
    },
  };
}

/** Trims the input and, when an email address was pasted, keeps only its domain. */
function normalizeDomain(input: string): string {
  const trimmed = input.trim();
  const at = trimmed.lastIndexOf('@');
  return (at >= 0 ? trimmed.slice(at + 1) : trimmed).replace(/\.$/, '').toLowerCase();
}

function showError(elements: DomainCheckElements, message: string | null): void {
  elements.error.textContent = message ?? '';
  elements.error.hidden = message === null;
  elements.domainInput.setAttribute('aria-invalid', message === null ? 'false' : 'true');
}

function setBusy(elements: DomainCheckElements, busy: boolean): void {
  elements.submit.disabled = busy;
  elements.submit.textContent = busy ? 'Checking…' : 'Check domain';
  elements.form.setAttribute('aria-busy', String(busy));
}

/**
 * Renders the three method verdicts, the SPF, DMARC and DKIM records found and, when the
 * server sends them, the related checks.
 */
export function renderDomainCheck(container: HTMLElement, check: DomainCheck): void {
  const cards = SENDING_METHODS.map((method) => check.methods[method])
    .filter((verdict) => verdict !== undefined)
    .map(verdictCard);
  const parts: Node[] = [
    el('h3', { text: `Results for ${check.domain}` }),
    el('p', { className: 'muted', text: `Checked ${formatDateTime(check.checkedAt)}` }),
    // A name that does not exist is the first thing to fix, so it comes before the verdicts.
    ...(check.missing
      ? [
          el('p', {
            className: 'status status-error',
            attrs: { id: 'domain-missing', role: 'alert' },
            text: `${check.missing.message} ${check.missing.fix ?? ''}`.trim(),
          }),
        ]
      : []),
    el('div', { className: 'verdicts' }, cards),
    el('h3', { text: 'DNS records' }),
    el('div', { className: 'records' }, [
      spfSection(check.spf),
      dmarcSection(check.dmarc),
      dkimSection(check.dkim),
    ]),
  ];
  if (check.related) parts.push(relatedSection(check.related));
  container.replaceChildren(...parts);
}
