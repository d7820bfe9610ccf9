import type { Chart as ChartClass, ChartConfiguration } from 'chart.js';
import { type RatePoint, buildOptions } from './chart-options.js';
import { type ChartTheme, onColorSchemeChange, readChartTheme } from './chart-theme.js';
import { METHOD_LABELS, labelFor } from './format.js';
import type { SeriesBucket, SeriesReport, SendingMethod } from './types.js';

// Chart.js and its date-fns adapter are loaded as UMD scripts before this module, which
// define the global `Chart`. Only the types come from the npm package.
declare const Chart: typeof ChartClass;

export type RateChart = ChartClass<'line', RatePoint[]>;
export type ChartName = 'delivery' | 'bounce' | 'open';
export type ChartSet = Record<ChartName, RateChart>;

declare global {
  interface Window {
    deliverabilityCharts?: ChartSet;
  }
}

type RateKey = 'deliveryRate' | 'bounceRate' | 'openRate';

interface ChartSpec {
  name: ChartName;
  canvasId: string;
  rate: RateKey;
  /** The rate's name in the canvas's accessible label. */
  label: string;
}

const SPECS: ChartSpec[] = [
  { name: 'delivery', canvasId: 'chart-delivery', rate: 'deliveryRate', label: 'delivery rate' },
  { name: 'bounce', canvasId: 'chart-bounce', rate: 'bounceRate', label: 'bounce rate' },
  { name: 'open', canvasId: 'chart-open', rate: 'openRate', label: 'open rate' },
];

const BUCKET_WORDS: Record<SeriesBucket, string> = { day: 'daily', hour: 'hourly' };

const POINT_STYLES: Record<SendingMethod, 'circle' | 'rect' | 'triangle'> = {
  default: 'circle',
  smtp: 'rect',
  mandrill: 'triangle',
};

let lastReport: SeriesReport | null = null;

/**
 * Creates the three rate charts on their canvases, empty until renderSeries fills them, and
 * exposes them as `window.deliverabilityCharts`. Throws if a canvas is missing.
 */
export function createCharts(): ChartSet {
  const theme = readChartTheme();
  const create = (spec: ChartSpec): RateChart => {
    const canvas = document.getElementById(spec.canvasId);
    if (!(canvas instanceof HTMLCanvasElement)) {
      throw new Error(`Canvas #${spec.canvasId} is missing from the page.`);
    }
    const config: ChartConfiguration<'line', RatePoint[]> = {
      type: 'line',
      data: { datasets: [] },
      options: buildOptions('day', null, theme),
    };
    return new Chart(canvas, config);
  };
  const charts: ChartSet = {
    delivery: create(SPECS[0]!),
    bounce: create(SPECS[1]!),
    open: create(SPECS[2]!),
  };
  window.deliverabilityCharts = charts;
  onColorSchemeChange(() => {
    if (lastReport) renderSeries(charts, lastReport);
  });
  return charts;
}

/**
 * Draws `report` on the charts, or shows "No sends in this period" in place of a chart with
 * no points. Sets `document.body.dataset.chartsReady` to 'true' once all three are drawn.
 */
export function renderSeries(charts: ChartSet, report: SeriesReport): void {
  lastReport = report;
  const theme = readChartTheme();
  for (const spec of SPECS) {
    const chart = charts[spec.name];
    const datasets = buildDatasets(report, spec.rate, theme);
    const hasData = datasets.some((dataset) => dataset.data.some((point) => point.y !== null));
    setEmptyState(chart.canvas, !hasData);
    const label = `Line chart of the ${BUCKET_WORDS[report.bucket]} ${spec.label} of each sending method, in percent`;
    chart.canvas.setAttribute('aria-label', label);
    chart.data.datasets = datasets;
    chart.options = buildOptions(report.bucket, report, theme);
    chart.update('none');
  }
  document.body.dataset.chartsReady = 'true';
}

/** Marks the charts as waiting for data, so tests do not read stale charts during a reload. */
export function markChartsLoading(): void {
  document.body.dataset.chartsReady = 'false';
}

/** Removes every drawn point, so a logged-out page keeps no report data, and marks them loading. */
export function clearCharts(charts: ChartSet): void {
  lastReport = null;
  for (const spec of SPECS) {
    const chart = charts[spec.name];
    setEmptyState(chart.canvas, false);
    chart.data.datasets = [];
    chart.update('none');
  }
  markChartsLoading();
}

function setEmptyState(canvas: HTMLCanvasElement, empty: boolean): void {
  const figure = canvas.closest('figure');
  const box = canvas.parentElement;
  const message = figure?.querySelector<HTMLElement>('.chart-empty');
  if (box) box.hidden = empty;
  if (message) message.hidden = !empty;
}

function buildDatasets(report: SeriesReport, rate: RateKey, theme: ChartTheme) {
  return report.series.map((series) => {
    const color = theme.methods[series.method] ?? theme.text;
    const data: RatePoint[] = series.points.map((point) => {
      const value = point[rate];
      return { x: Date.parse(point.t), y: value === null ? null : value * 100, sent: point.sent };
    });
    return {
      label: labelFor(METHOD_LABELS, series.method),
      data,
      borderColor: color,
      backgroundColor: color,
      pointStyle: POINT_STYLES[series.method] ?? 'circle',
      pointRadius: data.length > 45 ? 0 : 2.5,
      pointHoverRadius: 5,
      borderWidth: 2,
      tension: 0.2,
    };
  });
}
