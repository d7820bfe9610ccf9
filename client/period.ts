// The report period picker: the presets (last 7, 30 or 90 days) and a custom range of UTC
// days. The URL keeps the choice, so a shared link shows the same period. A link may also ask
// for any other whole number of days that the API accepts, which the picker then offers too.

import { el } from './dom.js';
import { pluralize } from './format.js';
import { PERIOD_OPTIONS, readCustomRange, readDays, updateQuery } from './url-state.js';

const CUSTOM = 'custom';
const DAY_MS = 86_400_000;

export interface PeriodElements {
  form: HTMLFormElement;
  select: HTMLSelectElement;
  rangeFields: HTMLElement;
  from: HTMLInputElement;
  to: HTMLInputElement;
  error: HTMLElement;
  /** The status line that names each value of the link that the dashboard replaced. */
  notice: HTMLElement;
}

export interface PeriodPicker {
  /** Sets the controls to the period in the URL, as after the back or forward button. */
  sync(): void;
  /**
   * Shows the server's message about an invalid period beside the dates, or hides it (null).
   * The first message stays until it is hidden, because each report repeats it in its own words.
   */
  showError(message: string | null): void;
  /** Shows the messages about values of the link that were replaced, or hides them (empty). */
  showNotice(messages: string[]): void;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Adds an option for a number of days from the URL that is not a preset, before "Custom
 * range", and removes the one added for an earlier URL.
 */
function offerLinkPeriod(select: HTMLSelectElement, days: number | null): void {
  select.querySelector('option[data-link-period]')?.remove();
  if (days === null || (PERIOD_OPTIONS as readonly number[]).includes(days)) return;
  const option = el('option', {
    text: `Last ${pluralize(days, 'day')}`,
    attrs: { value: String(days), 'data-link-period': '' },
  });
  select.insertBefore(option, select.querySelector(`option[value="${CUSTOM}"]`));
}

/**
 * Sets up the picker and calls `onChange` after each new period is written to the URL. A
 * preset applies when chosen. "Custom range" shows the two dates, filled with the period
 * shown so far, and applies when the form is submitted. The dates go to the server as they
 * are, so its message explains an invalid range. A new period drops the chosen chart bucket,
 * so that the charts get the default bucket of the new period.
 */
export function setUpPeriodPicker(elements: PeriodElements, onChange: () => void): PeriodPicker {
  const { form, select, rangeFields, from, to } = elements;

  select.addEventListener('change', () => {
    if (select.value === CUSTOM) {
      rangeFields.hidden = false;
      if (from.value === '' && to.value === '') {
        const today = Date.now();
        from.value = isoDay(today - (readDays() - 1) * DAY_MS);
        to.value = isoDay(today);
      }
      return;
    }
    rangeFields.hidden = true;
    updateQuery({ days: select.value, from: null, to: null, bucket: null }, true);
    onChange();
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (select.value !== CUSTOM) return;
    // An empty date stays in the URL as `from=`, so that the server names it.
    updateQuery({ days: null, from: from.value, to: to.value, bucket: null }, true, true);
    onChange();
  });

  const picker: PeriodPicker = {
    sync() {
      const range = readCustomRange();
      rangeFields.hidden = range === null;
      offerLinkPeriod(select, range === null ? readDays() : null);
      select.value = range === null ? String(readDays()) : CUSTOM;
      // A value that is not a date leaves a date input empty.
      from.value = range?.from ?? '';
      to.value = range?.to ?? '';
    },
    showError(message) {
      if (message !== null && !elements.error.hidden) return;
      elements.error.hidden = message === null;
      elements.error.textContent = message ?? '';
      for (const input of [from, to]) {
        if (message === null) input.removeAttribute('aria-invalid');
        else input.setAttribute('aria-invalid', 'true');
      }
    },
    showNotice(messages) {
      elements.notice.hidden = messages.length === 0;
      elements.notice.textContent = messages.join(' ');
    },
  };
  picker.sync();
  return picker;
}
