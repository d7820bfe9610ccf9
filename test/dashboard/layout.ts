/// <reference lib="dom" />
// Layout checks that the browser tests run in the page: what sticks out of the viewport, and
// which controls of the message log's filter form overlap.

import type { Page } from 'playwright-core';

/**
 * Returns each element of the dashboard's sections whose right edge is past `width`, the
 * viewport's width in CSS pixels, as `section-id: tag#id.class (right edge)`. What an ancestor
 * clips or scrolls, such as a table in its scroll region, is left out, but that ancestor
 * counts. A phone's browser widens its layout viewport to the widest content, which is why
 * the caller gives the width. Empty means that it all fits.
 */
export function elementsPastViewport(page: Page, width: number): Promise<string[]> {
  return page.evaluate((width) => {
    /** Returns whether an ancestor below `section` clips or scrolls what sticks out of it. */
    const isClipped = (element: HTMLElement, section: HTMLElement): boolean => {
      for (let parent = element.parentElement; parent && parent !== section;) {
        if (getComputedStyle(parent).overflowX !== 'visible') return true;
        parent = parent.parentElement;
      }
      return false;
    };
    const found: string[] = [];
    // Only the outermost element that sticks out is named, not each of its descendants.
    const named = new Set<Element>();
    for (const section of Array.from(
      document.querySelectorAll<HTMLElement>('#dashboard section'),
    )) {
      if (section.scrollWidth > section.clientWidth) {
        found.push(`${section.id}: scrollWidth ${section.scrollWidth} > ${section.clientWidth}`);
      }
      for (const element of Array.from(section.querySelectorAll<HTMLElement>('*'))) {
        if (isClipped(element, section)) continue;
        const box = element.getBoundingClientRect();
        if (box.width === 0 || box.right <= width + 0.5) continue;
        named.add(element);
        if (element.parentElement && named.has(element.parentElement)) continue;
        const id = element.id ? `#${element.id}` : '';
        const classes = element.className ? `.${element.className.split(' ').join('.')}` : '';
        const name = `${element.tagName.toLowerCase()}${id}${classes}`;
        found.push(`${section.id}: ${name} (right edge ${Math.round(box.right)})`);
      }
    }
    return found;
  }, width);
}

/** Returns each pair of visible controls of the message log's form whose boxes overlap. */
export function overlappingLogControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const controls = Array.from(
      document.querySelectorAll<HTMLElement>('#log-form input, #log-form select, #log-form button'),
    )
      .map((control) => ({
        name: control.id || control.getAttribute('name') || control.tagName,
        box: control.getBoundingClientRect(),
      }))
      .filter(({ box }) => box.width > 0 && box.height > 0);
    const pairs: string[] = [];
    for (const [i, a] of controls.entries()) {
      for (const b of controls.slice(i + 1)) {
        const apartSideways = a.box.right <= b.box.left || b.box.right <= a.box.left;
        const apartVertically = a.box.bottom <= b.box.top || b.box.bottom <= a.box.top;
        if (!apartSideways && !apartVertically) pairs.push(`${a.name} and ${b.name}`);
      }
    }
    return pairs;
  });
}

/**
 * Returns each pair of fields of the message log's form that share a row, because their boxes
 * overlap vertically, but whose first labels start at different heights.
 */
export function misalignedLogLabels(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const fields = Array.from(document.querySelectorAll<HTMLElement>('#log-form .field'))
      .filter((field) => !field.hidden)
      .map((field) => ({
        name: field.querySelector('label')?.textContent ?? '',
        box: field.getBoundingClientRect(),
        labelTop: field.querySelector('label')?.getBoundingClientRect().top ?? 0,
      }));
    const misaligned: string[] = [];
    for (const [i, a] of fields.entries()) {
      for (const b of fields.slice(i + 1)) {
        const sameRow = a.box.top < b.box.bottom && b.box.top < a.box.bottom;
        if (sameRow && Math.abs(a.labelTop - b.labelTop) > 0.5) {
          misaligned.push(`${a.name} at ${a.labelTop} and ${b.name} at ${b.labelTop}`);
        }
      }
    }
    return misaligned;
  });
}
