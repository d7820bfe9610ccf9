import { errorMessage, fetchRecentSends, fetchSeries, fetchSummary, isAbortError } from './api.js';
import { type AnalyzeForm, setUpAnalyze } from './analyze.js';
import {
  type ChartSet,
  clearCharts,
  createCharts,
  markChartsLoading,
  renderSeries,
} from './charts.js';
import { loadBounces } from './bounces.js';
import { loadBreakdowns } from './breakdowns.js';
import { type DomainCheckForm, setUpDomainCheck } from './domain-check.js';
import { type MandrillPanel, setUpMandrill } from './mandrill.js';
import { setUpMessageLog } from './message-log.js';
import { byId, showStatus } from './dom.js';
import { renderSends } from './sends.js';
import { renderSummary } from './summary.js';
import { readDays, readDomainQuery, updateQuery } from './url-state.js';
import { currentView } from './view.js';

const RECENT_SENDS_LIMIT = 50;

export interface Dashboard {
  /** Loads the sections and runs a domain check shared in the URL. Call once it is visible. */
  load(): void;
  /** Cancels loads in flight and removes every report, send and check result from the page. */
  clear(): void;
}

type MessageLog = ReturnType<typeof setUpMessageLog>;

interface DashboardParts {
  charts: ChartSet | null;
  domainCheck: DomainCheckForm;
  mandrill: MandrillPanel;
  analyze: AnalyzeForm;
  log: MessageLog;
}

/**
 * Creates the dashboard. Its charts and controls are set up on the first load, because
 * Chart.js sizes a chart from its canvas, which has no size while the dashboard is hidden.
 */
export function createDashboard(): Dashboard {
  let parts: DashboardParts | null = null;
  let currentLoad: AbortController | null = null;

  const loadSections = (): void => {
    currentLoad?.abort();
    currentLoad = new AbortController();
    void loadDashboard(readDays(), parts?.charts ?? null, parts?.log ?? null, currentLoad.signal);
    if (parts) void loadMandrill(parts.mandrill, currentLoad.signal);
  };

  return {
    load() {
      parts ??= setUpParts(loadSections);
      loadSections();
      const sharedCheck = readDomainQuery();
      if (sharedCheck) parts.domainCheck.check(sharedCheck.domain, sharedCheck.smtpHost);
    },
    clear() {
      currentLoad?.abort();
      currentLoad = null;
      if (parts === null) return;
      parts.domainCheck.reset();
      parts.mandrill.reset();
      parts.analyze.reset();
      if (parts.charts) clearCharts(parts.charts);
      resetSections(parts.charts !== null);
    },
  };
}

function setUpParts(reload: () => void): DashboardParts {
  const periodSelect = byId('period', HTMLSelectElement);
  const charts = createChartsOrReport();
  periodSelect.value = String(readDays());

  periodSelect.addEventListener('change', () => {
    updateQuery({ days: periodSelect.value }, true);
    if (currentView() === 'dashboard') reload();
  });
  const unmatched = byId('bounces-unmatched', HTMLInputElement);
  unmatched.addEventListener('change', () => {
    if (currentView() === 'dashboard') void loadBounceSection(new AbortController().signal);
  });
  window.addEventListener('popstate', () => {
    periodSelect.value = String(readDays());
    if (currentView() === 'dashboard') reload();
  });

  const domainCheck = setUpDomainCheck({
    form: byId('domain-check', HTMLFormElement),
    domainInput: byId('domain-input', HTMLInputElement),
    smtpHostInput: byId('smtp-host-input', HTMLInputElement),
    submit: byId('domain-check-submit', HTMLButtonElement),
    error: byId('domain-check-error', HTMLElement),
    result: byId('domain-result', HTMLElement),
  });
  const mandrill = setUpMandrill({
    account: byId('mandrill-account', HTMLSelectElement),
    status: byId('mandrill-status', HTMLElement),
    domains: byId('mandrill-domains', HTMLElement),
    rejectsForm: byId('mandrill-rejects-form', HTMLFormElement),
    rejectsEmail: byId('mandrill-rejects-email', HTMLInputElement),
    rejects: byId('mandrill-rejects', HTMLElement),
  });
  const analyze = setUpAnalyze({
    form: byId('analyze-form', HTMLFormElement),
    message: byId('analyze-message', HTMLTextAreaElement),
    file: byId('analyze-file', HTMLInputElement),
    ip: byId('analyze-ip', HTMLInputElement),
    submit: byId('analyze-submit', HTMLButtonElement),
    error: byId('analyze-error', HTMLElement),
    result: byId('analyze-result', HTMLElement),
  });
  const log = setUpMessageLog({
    form: byId('log-form', HTMLFormElement),
    table: byId('recent-sends', HTMLTableElement),
    status: byId('sends-status', HTMLElement),
    more: byId('log-more', HTMLButtonElement),
    csv: byId('sends-csv', HTMLAnchorElement),
    detail: byId('send-detail', HTMLElement),
  });
  return { charts, domainCheck, mandrill, analyze, log };
}

/** Loads the Mandrill section, which shows its own errors. */
async function loadMandrill(panel: MandrillPanel, signal: AbortSignal): Promise<void> {
  const section = byId('mandrill-section', HTMLElement);
  await loadSection(section, byId('mandrill-status', HTMLElement), signal, () =>
    panel.load(signal),
  );
}

/**
 * Puts the summary, charts and sends sections back in the state of a fresh page. The charts'
 * status keeps the error of charts that could not be created, which no later load replaces.
 */
function resetSections(chartsCreated: boolean): void {
  showStatus(byId('summary', HTMLElement), 'Loading…', 'loading');
  if (chartsCreated) byId('charts-status', HTMLElement).replaceChildren();
  showStatus(byId('sends-status', HTMLElement), 'Loading…', 'loading');
  byId('recent-sends', HTMLTableElement).replaceChildren();
  byId('bounces-table', HTMLTableElement).replaceChildren();
  showStatus(byId('breakdowns', HTMLElement), 'Loading…', 'loading');
  // The log's filters and the open timeline name recipients too.
  byId('send-detail', HTMLElement).replaceChildren();
  byId('log-form', HTMLFormElement).reset();
  byId('log-more', HTMLButtonElement).hidden = true;
  byId('sends-csv', HTMLAnchorElement).href = '/api/sends.csv';
}

/** Runs `load` with the section marked busy, and shows its error in `statusTarget` on failure. */
async function loadSection(
  section: HTMLElement,
  statusTarget: HTMLElement,
  signal: AbortSignal,
  load: () => Promise<void>,
): Promise<boolean> {
  section.setAttribute('aria-busy', 'true');
  try {
    await load();
    return true;
  } catch (error) {
    // An aborted load was replaced or cleared, also when its own 401 ended the session.
    if (signal.aborted || isAbortError(error)) return false;
    showStatus(statusTarget, errorMessage(error), 'error');
    return false;
  } finally {
    section.setAttribute('aria-busy', 'false');
  }
}

/**
 * Loads the summary, the charts and the recent sends for `days`, each section on its own.
 * Nothing renders once `signal` is aborted.
 */
async function loadDashboard(
  days: number,
  charts: ChartSet | null,
  log: MessageLog | null,
  signal: AbortSignal,
): Promise<void> {
  const summary = byId('summary', HTMLElement);
  byId('summary-csv', HTMLAnchorElement).href = `/api/reports/summary.csv?days=${days}`;
  const chartsStatus = byId('charts-status', HTMLElement);
  const sendsStatus = byId('sends-status', HTMLElement);
  markChartsLoading();

  const summaryLoad = loadSection(
    byId('summary-section', HTMLElement),
    summary,
    signal,
    async () => {
      const report = await fetchSummary(days, signal);
      signal.throwIfAborted();
      renderSummary(summary, report);
    },
  );
  const chartsLoad =
    charts === null
      ? Promise.resolve(false)
      : loadSection(byId('charts-section', HTMLElement), chartsStatus, signal, async () => {
          const report = await fetchSeries(days, 'day', signal);
          signal.throwIfAborted();
          chartsStatus.replaceChildren();
          renderSeries(charts, report);
        });
  const sendsLoad = loadSection(
    byId('sends-section', HTMLElement),
    sendsStatus,
    signal,
    async () => {
      if (log) {
        await log.load(signal);
        return;
      }
      const { sends } = await fetchRecentSends(RECENT_SENDS_LIMIT, signal);
      signal.throwIfAborted();
      sendsStatus.replaceChildren();
      renderSends(byId('recent-sends', HTMLTableElement), sends);
    },
  );
  const bouncesLoad = loadBounceSection(signal);
  const breakdownsTarget = byId('breakdowns', HTMLElement);
  const breakdownsLoad = loadSection(
    byId('breakdowns-section', HTMLElement),
    breakdownsTarget,
    signal,
    () => loadBreakdowns(breakdownsTarget, days, signal),
  );
  const [, chartsDrawn] = await Promise.all([
    summaryLoad,
    chartsLoad,
    sendsLoad,
    bouncesLoad,
    breakdownsLoad,
  ]);
  if (!chartsDrawn && !signal.aborted) document.body.dataset.chartsReady = 'error';
}

/** Loads the bounces table, with the unmatched filter as the checkbox has it. */
function loadBounceSection(signal: AbortSignal): Promise<boolean> {
  const status = byId('bounces-status', HTMLElement);
  return loadSection(byId('bounces-section', HTMLElement), status, signal, async () => {
    const unmatched = byId('bounces-unmatched', HTMLInputElement).checked;
    await loadBounces(byId('bounces-table', HTMLTableElement), unmatched, signal);
    status.replaceChildren();
  });
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
