// The page's views. `document.body.dataset.view` contains the one shown, so tests can wait
// for a view: 'loading' until the session check finishes, then 'login', 'setup' or 'dashboard'.

export type View = 'loading' | 'login' | 'setup' | 'dashboard';

/** The elements shown in each view, by id. Every other listed element is hidden. */
const VIEW_ELEMENTS: Record<View, string[]> = {
  loading: ['app-status'],
  login: ['login-view'],
  setup: ['setup-notice'],
  dashboard: ['dashboard', 'period-control', 'user-menu'],
};

export function currentView(): View {
  const view = document.body.dataset.view;
  return view !== undefined && Object.hasOwn(VIEW_ELEMENTS, view) ? (view as View) : 'loading';
}

/** Shows the elements of `view`, hides those of the others and records it on the body. */
export function setView(view: View): void {
  for (const [name, ids] of Object.entries(VIEW_ELEMENTS)) {
    for (const id of ids) {
      const element = document.getElementById(id);
      if (element) element.hidden = name !== view;
    }
  }
  document.body.dataset.view = view;
}
