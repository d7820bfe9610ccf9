// The report sections of the period in the URL: the totals, the rate charts and the breakdowns.

import { ApiError, fetchSeries, fetchSummary } from './api.js';
import { loadBreakdowns } from './breakdowns.js';
import { type ChartSet, markChartsLoading, renderSeries } from './charts.js';
import { byId } from './dom.js';
import type { PeriodPicker } from './period.js';
import { loadSection, SectionNotLoaded } from './sections.js';
import { renderSummary } from './summary.js';
import { readBucket, readReportQuery } from './url-state.js';

/**
 * Runs a report's `load`, whose only inputs are the period and a valid bucket, so that a 400
 * means an invalid period. The picker then shows the server's message once for all the reports,
 * and the report's section shows only that it was not loaded.
 */
async function loadReport(
  picker: PeriodPicker,
  signal: AbortSignal,
  load: () => Promise<void>,
): Promise<void> {
  try {
    await load();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400 || signal.aborted) throw error;
    picker.showError(error.message);
    throw new SectionNotLoaded('Not loaded, because the period is invalid.');
  }
}

/** Loads the totals and points the CSV link at the same period. */
export function loadSummarySection(picker: PeriodPicker, signal: AbortSignal): Promise<boolean> {
  const period = readReportQuery();
  const summary = byId('summary', HTMLElement);
  const csv = byId('summary-csv', HTMLAnchorElement);
  // Hidden until the period loads, because a rejected period's CSV would not download.
  csv.hidden = true;
  return loadSection(byId('summary-section', HTMLElement), summary, signal, () =>
    loadReport(picker, signal, async () => {
      const report = await fetchSummary(period, signal);
      signal.throwIfAborted();
      renderSummary(summary, report);
      csv.href = `/api/reports/summary.csv?${period.toString()}`;
      csv.hidden = false;
    }),
  );
}

/**
 * Loads the series of the period and bucket in the URL into the charts, and sets the interval
 * select to the bucket the server used. On failure the charts are hidden, so that the error
 * shows in place of an empty chart, and `document.body.dataset.chartsReady` becomes 'error'.
 */
export async function loadChartsSection(
  charts: ChartSet,
  bucketSelect: HTMLSelectElement,
  picker: PeriodPicker,
  signal: AbortSignal,
): Promise<void> {
  const status = byId('charts-status', HTMLElement);
  const grid = byId('charts-grid', HTMLElement);
  markChartsLoading();
  const drawn = await loadSection(byId('charts-section', HTMLElement), status, signal, () =>
    loadReport(picker, signal, async () => {
      const report = await fetchSeries(readReportQuery(), readBucket(), signal);
      signal.throwIfAborted();
      status.replaceChildren();
      grid.hidden = false;
      bucketSelect.value = report.bucket;
      renderSeries(charts, report);
    }),
  );
  if (!drawn && !signal.aborted) {
    grid.hidden = true;
    document.body.dataset.chartsReady = 'error';
  }
}

export function loadBreakdownsSection(picker: PeriodPicker, signal: AbortSignal): Promise<boolean> {
  const target = byId('breakdowns', HTMLElement);
  return loadSection(byId('breakdowns-section', HTMLElement), target, signal, () =>
    loadReport(picker, signal, () => loadBreakdowns(target, readReportQuery(), signal)),
  );
}
