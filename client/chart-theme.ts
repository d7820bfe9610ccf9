import type { SendingMethod } from './types.js';

/** Colors the charts take from the page's CSS custom properties, so dark mode applies to them. */
export interface ChartTheme {
  text: string;
  grid: string;
  methods: Record<SendingMethod, string>;
}

// Okabe-Ito colors, distinguishable with the common color-vision deficiencies. The stylesheet
// overrides them per color scheme.
const FALLBACK: ChartTheme = {
  text: '#4b5563',
  grid: 'rgba(0, 0, 0, 0.1)',
  methods: { default: '#d55e00', smtp: '#0072b2', mandrill: '#009e73' },
};

/** Reads the current chart colors from the CSS custom properties on the root element. */
export function readChartTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string, fallback: string): string => {
    const value = style.getPropertyValue(name).trim();
    return value === '' ? fallback : value;
  };
  return {
    text: read('--chart-text', FALLBACK.text),
    grid: read('--chart-grid', FALLBACK.grid),
    methods: {
      default: read('--method-default', FALLBACK.methods.default),
      smtp: read('--method-smtp', FALLBACK.methods.smtp),
      mandrill: read('--method-mandrill', FALLBACK.methods.mandrill),
    },
  };
}

/** Calls `listener` whenever the viewer's light or dark preference changes. */
export function onColorSchemeChange(listener: () => void): void {
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', listener);
}
