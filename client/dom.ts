// DOM helpers. Text always goes in through textContent, so API data never becomes markup.

type Child = Node | string | null | undefined | false;

export interface ElementOptions {
  className?: string;
  text?: string;
  /** Attributes set with setAttribute. Never pass `style`, which the page's CSP blocks. */
  attrs?: Record<string, string>;
}

/** Creates an element with optional class, text content, attributes and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  children: Child[] = [],
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  if (options.text !== undefined) element.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

/** Colors of a badge, matching the `badge-<tone>` classes of styles.css. */
export type Tone = 'ok' | 'warn' | 'bad' | 'neutral';

/** Creates a pill-shaped status label, such as `pass` in green. */
export function badge(text: string, tone: Tone, className = ''): HTMLSpanElement {
  const classes = ['badge', `badge-${tone}`, className].filter(Boolean).join(' ');
  return el('span', { className: classes, text });
}

/** Returns the element with `id`, and throws if the page lacks it or it has another type. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) {
    throw new Error(`Element #${id} is missing from the page or is not a ${type.name}.`);
  }
  return element;
}

/** Replaces the content of `container` with a status line, e.g. a loading or error message. */
export function showStatus(
  container: HTMLElement,
  message: string,
  kind: 'loading' | 'error' | 'empty',
): void {
  const role = kind === 'error' ? 'alert' : 'status';
  const line = el('p', { className: `status status-${kind}`, text: message, attrs: { role } });
  container.replaceChildren(line);
}

/**
 * Creates a `<pre><code>` block for text meant to be copied, such as a DNS record, with a
 * Copy button when the browser allows clipboard writes (secure contexts only).
 */
export function codeBlock(text: string, copyText = text): HTMLDivElement {
  const block = el('div', { className: 'code-block' }, [el('pre', {}, [el('code', { text })])]);
  if (navigator.clipboard) {
    const button = el('button', {
      className: 'copy-button',
      text: 'Copy',
      attrs: { type: 'button' },
    });
    button.addEventListener('click', () => {
      navigator.clipboard.writeText(copyText).then(
        () => flashLabel(button, 'Copied'),
        () => flashLabel(button, 'Copy failed'),
      );
    });
    block.append(button);
  }
  return block;
}

function flashLabel(button: HTMLButtonElement, label: string): void {
  button.textContent = label;
  window.setTimeout(() => {
    button.textContent = 'Copy';
  }, 1500);
}

/** Creates a `<dl>` from term and description pairs, where a description may be an element. */
export function descriptionList(
  entries: [string, Node | string][],
  className = '',
): HTMLDListElement {
  const items = entries.flatMap(([term, description]) => [
    el('dt', { text: term }),
    el('dd', {}, [description]),
  ]);
  return el('dl', { className }, items);
}

/**
 * Wraps a table in a container that scrolls sideways on narrow screens. The container is a
 * labelled region in the Tab order, so that a keyboard user can scroll it with the arrow keys.
 */
export function tableScroller(table: HTMLTableElement, label: string): HTMLDivElement {
  return el(
    'div',
    { className: 'table-scroll', attrs: { role: 'region', 'aria-label': label, tabindex: '0' } },
    [table],
  );
}
