import {
  errorMessage,
  fetchAccounts,
  fetchMandrillStatus,
  fetchRejects,
  fetchSenderDomains,
  isAbortError,
} from './api.js';
import { badge, el, showStatus, tableScroller, type Tone } from './dom.js';
import { mandrillTimeToIso, formatDateTime } from './format.js';
import type { AccountSummary, AuthComparison, RejectsResponse, SenderDomainView } from './types.js';

const SYNC_TONES: Record<string, Tone> = {
  ok: 'ok',
  never_synced: 'neutral',
  failing: 'warn',
  key_rejected: 'bad',
};

export interface MandrillElements {
  account: HTMLSelectElement;
  status: HTMLElement;
  domains: HTMLElement;
  rejectsForm: HTMLFormElement;
  rejectsEmail: HTMLInputElement;
  rejects: HTMLElement;
}

export interface MandrillPanel {
  load(signal: AbortSignal): Promise<void>;
  reset(): void;
}

/**
 * Sets up the Mandrill section: a choice of the accounts that send by Mandrill, Mandrill's
 * view of the chosen account's sending domains beside the DNS check, and its denylist with
 * an address filter. Every value from the API is set as text.
 */
export function setUpMandrill(elements: MandrillElements): MandrillPanel {
  let pending: AbortController | null = null;

  const show = async (): Promise<void> => {
    pending?.abort();
    const controller = new AbortController();
    pending = controller;
    const id = Number(elements.account.value);
    if (!id) return;
    showStatus(elements.domains, 'Loading…', 'loading');
    showStatus(elements.rejects, 'Loading…', 'loading');
    await Promise.all([
      load(elements.domains, controller.signal, async () => {
        const [status, view] = await Promise.all([
          fetchMandrillStatus(id, controller.signal),
          fetchSenderDomains(id, controller.signal),
        ]);
        controller.signal.throwIfAborted();
        elements.domains.replaceChildren(
          el('p', { className: 'note', attrs: { 'data-sync-state': status.state } }, [
            badge(
              `Polling: ${status.state.replace(/_/g, ' ')}`,
              SYNC_TONES[status.state] ?? 'neutral',
            ),
            ' ',
            status.message,
          ]),
          ...view.notes.map((text) => el('p', { className: 'note', text })),
          domainsTable(view.domains),
        );
      }),
      showRejects(elements, id, controller.signal),
    ]);
  };

  elements.account.addEventListener('change', () => void show());
  elements.rejectsForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const id = Number(elements.account.value);
    if (id) void showRejects(elements, id, new AbortController().signal);
  });

  return {
    async load(signal) {
      const { accounts } = await fetchAccounts(signal);
      signal.throwIfAborted();
      const mandrill = accounts.filter((a) => a.method === 'mandrill');
      fillAccounts(elements, mandrill);
      if (mandrill.length > 0) await show();
    },
    reset() {
      pending?.abort();
      pending = null;
      elements.account.replaceChildren();
      elements.domains.replaceChildren();
      elements.rejects.replaceChildren();
      elements.status.replaceChildren();
    },
  };
}

function fillAccounts(elements: MandrillElements, accounts: AccountSummary[]): void {
  elements.account.replaceChildren(
    ...accounts.map((a) =>
      el('option', { text: `${a.name} (${a.sendingAddress})`, attrs: { value: String(a.id) } }),
    ),
  );
  elements.account.disabled = accounts.length === 0;
  elements.rejectsForm.hidden = accounts.length === 0;
  if (accounts.length === 0) {
    showStatus(elements.status, 'No account sends by Mandrill.', 'empty');
  } else {
    elements.status.replaceChildren();
  }
}

async function showRejects(elements: MandrillElements, id: number, signal: AbortSignal) {
  const email = elements.rejectsEmail.value.trim();
  await load(elements.rejects, signal, async () => {
    const list = await fetchRejects(id, email, signal);
    signal.throwIfAborted();
    elements.rejects.replaceChildren(rejectsTable(list, email));
  });
}

async function load(target: HTMLElement, signal: AbortSignal, run: () => Promise<void>) {
  try {
    await run();
  } catch (error) {
    if (signal.aborted || isAbortError(error)) return;
    showStatus(target, errorMessage(error), 'error');
  }
}

/** Creates a table in a scroll region of its own, so that a wide table never widens the page. */
function table(caption: string, headings: string[], rows: HTMLTableRowElement[]): HTMLElement {
  const element = el('table', { className: 'data-table' }, [
    el('caption', { text: caption }),
    el('thead', {}, [
      el(
        'tr',
        {},
        headings.map((text) => el('th', { text, attrs: { scope: 'col' } })),
      ),
    ]),
    el('tbody', {}, rows),
  ]);
  return tableScroller(element, caption);
}

function row(cells: (Node | string)[], headings: string[]): HTMLTableRowElement {
  return el(
    'tr',
    {},
    cells.map((content, i) =>
      el('td', { attrs: { 'data-label': headings[i] ?? '' } }, [
        el('div', { className: 'cell' }, [content]),
      ]),
    ),
  );
}

const DOMAIN_HEADINGS = ['Domain', 'Verified', 'SPF', 'DKIM', 'Notes'];

function domainsTable(domains: SenderDomainView[]): HTMLElement {
  const rows = domains.map((d) =>
    row(
      [
        d.sendingDomain ? el('strong', { text: d.domain }) : d.domain,
        d.verifiedAt ? badge('verified', 'ok') : badge('not verified', 'warn'),
        comparison(d.spf),
        comparison(d.dkim),
        el(
          'div',
          {},
          d.notes.map((text) => el('p', { text })),
        ),
      ],
      DOMAIN_HEADINGS,
    ),
  );
  return table("Mandrill's sending domains", DOMAIN_HEADINGS, rows);
}

function dnsBadge(dns: boolean | null): HTMLSpanElement {
  if (dns === null) return badge('DNS: not checked', 'neutral');
  return dns ? badge('DNS: right', 'ok') : badge('DNS: wrong', 'bad');
}

function comparison(item: AuthComparison): HTMLElement {
  return el('div', { className: item.disagreement ? 'disagreement' : '' }, [
    badge(
      `Mandrill: ${item.mandrill.valid ? 'valid' : 'invalid'}`,
      item.mandrill.valid ? 'ok' : 'bad',
    ),
    ' ',
    dnsBadge(item.dns),
    item.mandrill.error ? el('p', { className: 'muted', text: item.mandrill.error }) : null,
    item.disagreement ? el('p', { text: item.disagreement }) : null,
  ]);
}

const REJECT_HEADINGS = ['Address', 'Reason', 'Detail', 'Since', 'Expires'];

/**
 * Creates a `<time>` element for a time as Mandrill's API writes it, in UTC without a zone,
 * such as `2026-11-27 23:04:29`, shown in the viewer's time zone like the rest of the page.
 */
function mandrillTime(text: string): HTMLElement | string {
  const iso = mandrillTimeToIso(text);
  if (iso === null) return text;
  return el('time', { text: formatDateTime(iso), attrs: { datetime: iso } });
}

/** Creates the denylist table, where `email` is the address looked up, or '' for the whole list. */
function rejectsTable(list: RejectsResponse, email: string): HTMLElement {
  const rows = list.entries.map((entry) =>
    row(
      [
        entry.email,
        el('div', {}, [badge(entry.reason, 'bad'), el('p', { text: entry.meaning })]),
        entry.detail || '—',
        mandrillTime(entry.createdAt),
        entry.expired
          ? 'expired'
          : entry.expiresAt === null
            ? 'never'
            : mandrillTime(entry.expiresAt),
      ],
      REJECT_HEADINGS,
    ),
  );
  if (rows.length === 0) {
    const text =
      email === ''
        ? "No address is on Mandrill's denylist."
        : `${email} is not on Mandrill's denylist.`;
    const cell = el('td', { className: 'muted', text });
    cell.colSpan = REJECT_HEADINGS.length;
    rows.push(el('tr', {}, [cell]));
  }
  const caption = list.truncated
    ? "Mandrill's denylist (its first 1,000 entries: filter by address to find one)"
    : "Mandrill's denylist";
  return table(caption, REJECT_HEADINGS, rows);
}
