/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

/** The focused element after a Tab press, with what its focus ring looks like. */
export interface FocusStop {
  /** `tag#id` and the accessible label or text, to name the element in a failure. */
  name: string;
  /** The element's position among the page's focusable elements, from markFocusOrder. */
  index: number | null;
  outlineStyle: string;
  /** The outline width in CSS pixels. */
  outlineWidth: number;
}

/**
 * Adds `stop` to `stops`, or merges it into the last stop when both are the same element, as
 * the fields of one date input are. A merged stop keeps the weaker focus ring of the two.
 */
function addStop(stops: FocusStop[], stop: FocusStop): void {
  const last = stops.at(-1);
  if (last === undefined || last.index !== stop.index || last.name !== stop.name) {
    stops.push(stop);
    return;
  }
  const weaker = stop.outlineStyle === 'none' || stop.outlineWidth < last.outlineWidth;
  if (weaker) stops[stops.length - 1] = stop;
}

const FOCUSABLE =
  'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';

/** Describes the focused element, or returns null when nothing but the body has the focus. */
export function focusedStop(page: Page): Promise<FocusStop | null> {
  return page.evaluate(() => {
    const active = document.activeElement;
    if (!(active instanceof HTMLElement) || active === document.body) return null;
    const style = getComputedStyle(active);
    const label = (active.getAttribute('aria-label') ?? active.textContent ?? '').trim();
    const index = active.dataset.focusIndex;
    return {
      name: `${active.tagName.toLowerCase()}#${active.id} "${label.replace(/\s+/g, ' ').slice(0, 50)}"`,
      index: index === undefined ? null : Number(index),
      outlineStyle: style.outlineStyle,
      outlineWidth: parseFloat(style.outlineWidth),
    };
  });
}

/**
 * Presses Tab until the focused element matches `selector`, and returns the elements focused
 * on the way, the last one included. Throws after `max` presses. A date input takes several
 * presses, one per field and one for its picker button, and counts as one stop.
 */
export async function tabTo(page: Page, selector: string, max = 100): Promise<FocusStop[]> {
  const reached = () => page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector);
  const stops: FocusStop[] = [];
  for (let presses = 0; !(await reached()); presses += 1) {
    if (presses === max) {
      const names = stops.map((stop) => stop.name).join(', ');
      throw new Error(`${selector} not reached after ${max} Tab presses: ${names}`);
    }
    await page.keyboard.press('Tab');
    const stop = await focusedStop(page);
    if (stop) addStop(stops, stop);
  }
  return stops;
}

/**
 * Presses Tab until the focus leaves the page's last element, and returns the stops on the
 * way. Throws after `max` presses, which a focus trap would reach.
 */
export async function tabToEnd(page: Page, max = 300): Promise<FocusStop[]> {
  const stops: FocusStop[] = [];
  for (let presses = 0; presses < max; presses += 1) {
    await page.keyboard.press('Tab');
    const stop = await focusedStop(page);
    if (stop === null) return stops;
    addStop(stops, stop);
  }
  throw new Error(
    `The focus stayed in the page after ${max} Tab presses, at ${stops.at(-1)?.name}`,
  );
}

/**
 * Numbers the visible focusable elements of the page in document order, as `data-focus-index`,
 * and returns how many there are.
 */
export function markFocusOrder(page: Page): Promise<number> {
  return page.evaluate((focusable) => {
    const elements = Array.from(document.querySelectorAll<HTMLElement>(focusable)).filter(
      (element) =>
        element.checkVisibility() &&
        !(element as HTMLButtonElement).disabled &&
        // A summary is focusable only inside a details element.
        (element.tagName !== 'SUMMARY' || element.parentElement?.tagName === 'DETAILS'),
    );
    elements.forEach((element, i) => {
      element.dataset.focusIndex = String(i);
    });
    return elements.length;
  }, FOCUSABLE);
}

/** Asserts that each stop showed a solid focus ring at least 2px wide. */
export function assertFocusRings(stops: FocusStop[]): void {
  for (const stop of stops) {
    assert.equal(stop.outlineStyle, 'solid', `no focus ring on ${stop.name}`);
    assert.ok(stop.outlineWidth >= 2, `a ${stop.outlineWidth}px focus ring on ${stop.name}`);
  }
}

/**
 * Asserts that Tab, from the page title to the end of the page, focuses every visible control
 * once, in document order, each with its focus ring, and that no control keeps the focus.
 */
export async function assertTabOrder(page: Page): Promise<void> {
  const count = await markFocusOrder(page);
  await page.focus('#site-title');
  const stops = await tabToEnd(page);
  assert.deepEqual(
    stops.map((stop) => stop.index),
    Array.from({ length: count }, (_, i) => i),
    stops.map((stop) => stop.name).join('\n'),
  );
  assertFocusRings(stops);
}
