import type { ChartOptions, TooltipItem } from 'chart.js';
import type { ChartTheme } from './chart-theme.js';
import type { SeriesBucket } from './types.js';

/** One bucket as charted: x is the bucket start in ms, y the rate in percent. */
export interface RatePoint {
  x: number;
  y: number | null;
  sent: number;
}

/** Formats of the date-fns adapter, keyed by bucket size. */
const TOOLTIP_FORMATS: Record<SeriesBucket, string> = { day: 'PP', hour: 'PP p' };

/**
 * Builds the options shared by the rate charts: a time x axis over the report period, a
 * 0-100 % y axis and colors from `theme`. `range` is null before the first report arrives.
 */
export function buildOptions(
  bucket: SeriesBucket,
  range: { from: string; to: string } | null,
  theme: ChartTheme,
): ChartOptions<'line'> {
  return {
    responsive: true,
    maintainAspectRatio: false,
    // Drawing without animation keeps the first frame final, which chartsReady relies on.
    animation: false,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    scales: {
      x: {
        type: 'time',
        min: range ? Date.parse(range.from) : undefined,
        max: range ? Date.parse(range.to) : undefined,
        time: {
          minUnit: bucket,
          tooltipFormat: TOOLTIP_FORMATS[bucket],
          displayFormats: { hour: 'MMM d HH:mm', day: 'MMM d', week: 'MMM d', month: 'MMM yyyy' },
        },
        ticks: { color: theme.text, maxRotation: 0, autoSkipPadding: 12 },
        grid: { color: theme.grid },
      },
      y: {
        min: 0,
        max: 100,
        ticks: { color: theme.text, stepSize: 20, callback: (value) => `${value}%` },
        grid: { color: theme.grid },
      },
    },
    plugins: {
      legend: { labels: { color: theme.text, usePointStyle: true, boxWidth: 8, boxHeight: 8 } },
      tooltip: { callbacks: { label: tooltipLabel } },
    },
  };
}

function tooltipLabel(item: TooltipItem<'line'>): string {
  const point = item.raw as RatePoint;
  const rate = point.y === null ? 'no data' : `${point.y.toFixed(1)}%`;
  return `${item.dataset.label ?? ''}: ${rate} of ${point.sent} sent`;
}
