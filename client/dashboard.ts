import { errorMessage } from './api.js';
import { type AnalyzeForm, setUpAnalyze } from './analyze.js';
import { type ChartSet, clearCharts, createCharts } from './charts.js';
import { loadBounces } from './bounces.js';
import { type DomainCheckForm, setUpDomainCheck } from './domain-check.js';
import { type MandrillPanel, setUpMandrill } from './mandrill.js';
import { setUpMessageLog } from './message-log.js';
import { byId, showStatus } from './dom.js';
import { type PeriodPicker, setUpPeriodPicker } from './period.js';
import { loadBreakdownsSection, loadChartsSection, loadSummarySection } from './reports.js';
import { loadSection } from './sections.js';
import { correctReportQuery, readDomainQuery, updateQuery } from './url-state.js';
import { currentView } from './view.js';

export interface Dashboard {
  /** Loads the sections and runs a domain check shared in the URL. Call once it is visible. */
  load(): void;
  /** Cancels loads in flight and removes every report, send and check result from the page. */
  clear(): void;
}

type MessageLog = ReturnType<typeof setUpMessageLog>;

interface DashboardParts {
  charts: ChartSet | null;
  period: PeriodPicker;
  bucketSelect: HTMLSelectElement;
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
  // A new interval reloads the charts alone, with a controller of their own. Every full load
  // replaces that controller too, so that an older series never overwrites a newer one.
  let chartsLoad: AbortController | null = null;

  const loadCharts = (): void => {
    chartsLoad?.abort();
    chartsLoad = new AbortController();
    if (parts?.charts) {
      void loadChartsSection(parts.charts, parts.bucketSelect, parts.period, chartsLoad.signal);
    } else {
      document.body.dataset.chartsReady = 'error';
    }
  };
  const loadSections = (): void => {
    currentLoad?.abort();
    currentLoad = new AbortController();
    if (parts === null) return;
    // The picker shows the URL's period after a value the dashboard cannot show is replaced.
    const notices = correctReportQuery();
    parts.period.sync();
    parts.period.showNotice(notices);
    parts.period.showError(null);
    loadCharts();
    void loadDashboard(parts, currentLoad.signal);
    void loadMandrill(parts.mandrill, currentLoad.signal);
  };

  return {
    load() {
      parts ??= setUpParts(loadSections, loadCharts);
      loadSections();
      const sharedCheck = readDomainQuery();
      if (sharedCheck) parts.domainCheck.check(sharedCheck.domain, sharedCheck.smtpHost);
    },
    clear() {
      currentLoad?.abort();
      currentLoad = null;
      chartsLoad?.abort();
      chartsLoad = null;
      if (parts === null) return;
      parts.domainCheck.reset();
      parts.mandrill.reset();
      parts.analyze.reset();
      parts.period.showError(null);
      parts.period.showNotice([]);
      if (parts.charts) clearCharts(parts.charts);
      resetSections(parts.charts !== null);
    },
  };
}

function setUpParts(reload: () => void, reloadCharts: () => void): DashboardParts {
  const charts = createChartsOrReport();
  const period = setUpPeriodPicker(
    {
      form: byId('period-control', HTMLFormElement),
      select: byId('period', HTMLSelectElement),
      rangeFields: byId('range-fields', HTMLElement),
      from: byId('range-from', HTMLInputElement),
      to: byId('range-to', HTMLInputElement),
      error: byId('period-error', HTMLElement),
      notice: byId('period-notice', HTMLElement),
    },
    () => {
      if (currentView() === 'dashboard') reload();
    },
  );
  const bucketSelect = byId('bucket', HTMLSelectElement);
  bucketSelect.addEventListener('change', () => {
    updateQuery({ bucket: bucketSelect.value }, true);
    period.showNotice([]);
    if (currentView() === 'dashboard') reloadCharts();
  });
  const unmatched = byId('bounces-unmatched', HTMLInputElement);
  unmatched.addEventListener('change', () => {
    if (currentView() === 'dashboard') void loadBounceSection(new AbortController().signal);
  });
  window.addEventListener('popstate', () => {
    period.sync();
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
  return { charts, period, bucketSelect, domainCheck, mandrill, analyze, log };
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
  byId('charts-grid', HTMLElement).hidden = false;
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

/**
 * Loads the summary, the breakdowns, the message log and the bounces, each section on its
 * own. Nothing renders once `signal` is aborted.
 */
async function loadDashboard(parts: DashboardParts, signal: AbortSignal): Promise<void> {
  await Promise.all([
    loadSummarySection(parts.period, signal),
    loadBreakdownsSection(parts.period, signal),
    loadSection(byId('sends-section', HTMLElement), byId('sends-status', HTMLElement), signal, () =>
      parts.log.load(signal),
    ),
    loadBounceSection(signal),
  ]);
}

/** Loads the bounces table, with the unmatched filter as the checkbox has it. */
function loadBounceSection(signal: AbortSignal): Promise<boolean> {
  const status = byId('bounces-status', HTMLElement);
  return loadSection(byId('bounces-section', HTMLElement), status, signal, async () => {
    const unmatched = byId('bounces-unmatched', HTMLInputElement).checked;
    byId('bounces-csv', HTMLAnchorElement).href =
      `/api/bounces.csv${unmatched ? '?unmatched=true' : ''}`;
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
