import { errorMessage, fetchRecentSends, fetchSeries, fetchSummary, isAbortError } from './api.js';
import { type ChartSet, createCharts, markChartsLoading, renderSeries } from './charts.js';
import { setUpDomainCheck } from './domain-check.js';
import { byId, showStatus } from './dom.js';
import { renderSends } from './sends.js';
import { renderSummary } from './summary.js';
import { readDays, readDomainQuery, updateQuery } from './url-state.js';

const RECENT_SENDS_LIMIT = 50;

let currentLoad: AbortController | null = null;

/** Runs `load` with the section marked busy, and shows its error in `statusTarget` on failure. */
async function loadSection(
  section: HTMLElement,
  statusTarget: HTMLElement,
  load: () => Promise<void>,
): Promise<boolean> {
  section.setAttribute('aria-busy', 'true');
  try {
    await load();
    return true;
  } catch (error) {
    if (isAbortError(error)) return false;
    showStatus(statusTarget, errorMessage(error), 'error');
    return false;
  } finally {
    section.setAttribute('aria-busy', 'false');
  }
}

/** Loads the summary, the charts and the recent sends for `days`, each section on its own. */
async function loadDashboard(days: number, charts: ChartSet | null): Promise<void> {
  currentLoad?.abort();
  const controller = new AbortController();
  currentLoad = controller;
  const { signal } = controller;

  const summary = byId('summary', HTMLElement);
  const chartsStatus = byId('charts-status', HTMLElement);
  const sendsStatus = byId('sends-status', HTMLElement);
  markChartsLoading();

  const summaryLoad = loadSection(byId('summary-section', HTMLElement), summary, async () => {
    renderSummary(summary, await fetchSummary(days, signal));
  });
  const chartsLoad =
    charts === null
      ? Promise.resolve(false)
      : loadSection(byId('charts-section', HTMLElement), chartsStatus, async () => {
          const report = await fetchSeries(days, 'day', signal);
          chartsStatus.replaceChildren();
          renderSeries(charts, report);
        });
  const sendsLoad = loadSection(byId('sends-section', HTMLElement), sendsStatus, async () => {
    const { sends } = await fetchRecentSends(RECENT_SENDS_LIMIT, signal);
    sendsStatus.replaceChildren();
    renderSends(byId('recent-sends', HTMLTableElement), sends);
  });
  const [, chartsDrawn] = await Promise.all([summaryLoad, chartsLoad, sendsLoad]);
  if (!chartsDrawn && !signal.aborted) document.body.dataset.chartsReady = 'error';
}

function createChartsOrReport(): ChartSet | null {
  try {
    return createCharts();
  } catch (error) {
    console.error('Creating the charts failed', error);
    const message = `The charts could not be drawn. ${errorMessage(error)}`;
    showStatus(byId('charts-status', HTMLElement), message, 'error');
    return null;
  }
}

function start(): void {
  const periodSelect = byId('period', HTMLSelectElement);
  const charts = createChartsOrReport();
  periodSelect.value = String(readDays());

  periodSelect.addEventListener('change', () => {
    updateQuery({ days: periodSelect.value }, true);
    void loadDashboard(readDays(), charts);
  });
  window.addEventListener('popstate', () => {
    periodSelect.value = String(readDays());
    void loadDashboard(readDays(), charts);
  });

  const checkDomain = setUpDomainCheck({
    form: byId('domain-check', HTMLFormElement),
    domainInput: byId('domain-input', HTMLInputElement),
    smtpHostInput: byId('smtp-host-input', HTMLInputElement),
    submit: byId('domain-check-submit', HTMLButtonElement),
    error: byId('domain-check-error', HTMLElement),
    result: byId('domain-result', HTMLElement),
  });
  const sharedCheck = readDomainQuery();
  if (sharedCheck) checkDomain(sharedCheck.domain, sharedCheck.smtpHost);

  void loadDashboard(readDays(), charts);
}

start();
