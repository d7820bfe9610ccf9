import { errorMessage, fetchAccounts, getJson, isAbortError } from './api.js';
import { el, showStatus } from './dom.js';
import { formatDateTime } from './format.js';
import { renderSends } from './sends.js';
import type { SendRecord } from './types.js';
import { updateQuery } from './url-state.js';

/** The log's filters as the URL keeps them, and the API query parameter each one becomes. */
const FILTER_KEYS: [string, string][] = [
  ['logRecipient', 'recipient'],
  ['logSender', 'sender'],
  ['logAccount', 'accountId'],
  ['logMethod', 'method'],
  ['logState', 'state'],
  ['logFrom', 'from'],
  ['logTo', 'to'],
  ['logMessageId', 'messageId'],
];

export interface LogElements {
  form: HTMLFormElement;
  table: HTMLTableElement;
  status: HTMLElement;
  more: HTMLButtonElement;
  csv: HTMLAnchorElement;
  detail: HTMLElement;
}

interface LogResponse {
  sends: SendRecord[];
  next: string | null;
}

interface SendDetail {
  send: SendRecord;
  events: {
    occurredAt: string;
    type: string;
    source: string;
    stateBefore: string | null;
    stateAfter: string | null;
    data: unknown;
  }[];
}

/**
 * Builds the API query of the filters in the URL. In the recipient field, `@gmail.com` and a
 * bare `gmail.com` (no `@`, so no address) mean the domain.
 */
export function logQueryFromUrl(): URLSearchParams {
  const url = new URLSearchParams(location.search);
  const query = new URLSearchParams();
  for (const [urlKey, apiKey] of FILTER_KEYS) {
    const value = url.get(urlKey)?.trim();
    if (!value) continue;
    if (apiKey === 'recipient' && value.startsWith('@'))
      query.set('recipientDomain', value.slice(1));
    else if (apiKey === 'recipient' && !value.includes('@')) query.set('recipientDomain', value);
    else if (apiKey === 'state' && url.get('logEver') === '1') query.set('everState', value);
    else query.set(apiKey, value);
  }
  return query;
}

/**
 * Sets up the message log. The filter form writes the filters into the URL, so a search can
 * be shared. "Load more" shows the next page, and a row, or the recipient button in it, opens
 * the send's timeline with each event's raw provider data as text.
 */
export function setUpMessageLog(elements: LogElements) {
  let next: string | null = null;
  let detailLoad: AbortController | null = null;

  const openDetail = (id: string): void => {
    detailLoad?.abort();
    detailLoad = new AbortController();
    void showDetail(elements.detail, id, detailLoad.signal);
  };
  /** Cancels a timeline in flight and removes the one shown, which may match no new search. */
  const closeDetail = (): void => {
    detailLoad?.abort();
    detailLoad = null;
    elements.detail.replaceChildren();
  };

  const fillForm = (): void => {
    const url = new URLSearchParams(location.search);
    for (const [urlKey] of FILTER_KEYS) {
      const input = elements.form.elements.namedItem(urlKey) as HTMLInputElement | null;
      if (input) input.value = url.get(urlKey) ?? '';
    }
    const ever = elements.form.elements.namedItem('logEver') as HTMLInputElement | null;
    if (ever) ever.checked = url.get('logEver') === '1';
  };

  /** Offers the caller's accounts as a filter, when there is more than one to choose from. */
  const fillAccounts = async (signal: AbortSignal): Promise<void> => {
    const { accounts } = await fetchAccounts(signal);
    const select = elements.form.elements.namedItem('logAccount') as HTMLSelectElement | null;
    const field = select?.closest('.field') as HTMLElement | null;
    if (!select || !field) return;
    const chosen = new URLSearchParams(location.search).get('logAccount') ?? '';
    select.replaceChildren(
      el('option', { text: 'Any', attrs: { value: '' } }),
      ...accounts.map((account) =>
        el('option', { text: account.name, attrs: { value: String(account.id) } }),
      ),
    );
    select.value = chosen;
    field.hidden = accounts.length < 2;
  };

  const load = async (signal: AbortSignal, append: boolean): Promise<void> => {
    const query = logQueryFromUrl();
    const filtered = query.size > 0;
    query.set('limit', '50');
    if (append && next) query.set('before', next);
    const page = await getJson<LogResponse>(`/api/sends?${query.toString()}`, signal);
    signal.throwIfAborted();
    const shown = append ? [...currentRows, ...page.sends] : page.sends;
    currentRows = shown;
    next = page.next;
    elements.status.replaceChildren();
    renderSends(elements.table, shown, filtered);
    elements.more.hidden = next === null;
    query.delete('limit');
    query.delete('before');
    elements.csv.href = `/api/sends.csv?${query.toString()}`;
    elements.csv.hidden = false;
  };
  let currentRows: SendRecord[] = [];

  /** Loads the first page of a search, and removes the rows of the last one if it fails. */
  const search = async (signal: AbortSignal): Promise<void> => {
    try {
      await load(signal, false);
    } catch (error) {
      if (!signal.aborted) {
        currentRows = [];
        elements.table.replaceChildren();
        elements.more.hidden = true;
        // The link would download the previous search's sends.
        elements.csv.hidden = true;
      }
      throw error;
    }
  };

  elements.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(elements.form);
    const changes: Record<string, string | null> = {};
    for (const [urlKey] of FILTER_KEYS) changes[urlKey] = String(data.get(urlKey) ?? '').trim();
    changes.logEver = data.get('logEver') ? '1' : null;
    updateQuery(changes, true);
    closeDetail();
    showStatus(elements.status, 'Loading…', 'loading');
    search(new AbortController().signal).catch((error: Error) =>
      showStatus(elements.status, error.message, 'error'),
    );
  });
  elements.more.addEventListener('click', () => {
    load(new AbortController().signal, true).catch((error: Error) =>
      showStatus(elements.status, error.message, 'error'),
    );
  });
  elements.table.addEventListener('click', (event) => {
    const row = (event.target as HTMLElement).closest('tr[data-send-id]');
    const id = row?.getAttribute('data-send-id');
    if (id) openDetail(id);
  });

  return {
    load: async (signal: AbortSignal) => {
      fillForm();
      await Promise.all([fillAccounts(signal), search(signal)]);
    },
  };
}

/** Shows the timeline of send `id` in `container`, unless `signal` is aborted first. */
async function showDetail(container: HTMLElement, id: string, signal: AbortSignal): Promise<void> {
  showStatus(container, 'Loading…', 'loading');
  try {
    const path = `/api/sends/${encodeURIComponent(id)}`;
    const { send, events } = await getJson<SendDetail>(path, signal);
    signal.throwIfAborted();
    const rows = events.map((event) =>
      el('tr', {}, [
        el('td', { text: formatDateTime(event.occurredAt) }),
        el('td', { text: event.type }),
        el('td', { text: event.source }),
        el('td', { text: `${event.stateBefore ?? '—'} → ${event.stateAfter ?? '—'}` }),
        el('td', {}, [
          el('pre', {
            className: 'event-data',
            text: event.data ? JSON.stringify(event.data, null, 2) : '',
          }),
        ]),
      ]),
    );
    // The heading takes the focus, so that a keyboard user lands on the timeline just opened.
    const heading = el('h3', {
      text: `Send ${send.id} to ${send.recipient}`,
      attrs: { tabindex: '-1', id: 'send-detail-heading' },
    });
    container.replaceChildren(
      heading,
      el('p', { className: 'muted', text: `Message-ID ${send.messageId ?? ''}` }),
      el('table', { className: 'data-table', attrs: { id: 'send-timeline' } }, [
        el('caption', { text: 'Timeline, oldest first' }),
        el('thead', {}, [
          el(
            'tr',
            {},
            ['Time', 'Event', 'Source', 'State', 'Provider data'].map((text) =>
              el('th', { text, attrs: { scope: 'col' } }),
            ),
          ),
        ]),
        el('tbody', {}, rows),
      ]),
    );
    heading.focus();
  } catch (error) {
    if (signal.aborted || isAbortError(error)) return;
    showStatus(container, errorMessage(error), 'error');
  }
}
