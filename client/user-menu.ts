import { byId, el } from './dom.js';
import { ROLE_LABELS, labelFor } from './format.js';
import type { SessionUser } from './types.js';

export interface UserMenu {
  show(user: SessionUser): void;
  clear(): void;
}

/**
 * Wires the header's user menu: `#current-user` shows the logged-in user's email and role, and
 * `#logout` calls `onLogout`, staying disabled until that promise settles.
 */
export function setUpUserMenu(onLogout: () => Promise<void>): UserMenu {
  const currentUser = byId('current-user', HTMLElement);
  const logout = byId('logout', HTMLButtonElement);

  logout.addEventListener('click', () => {
    logout.disabled = true;
    void onLogout().finally(() => {
      logout.disabled = false;
    });
  });

  return {
    show(user) {
      currentUser.replaceChildren(
        el('span', { className: 'user-email', text: user.email }),
        el('span', {
          className: 'badge badge-neutral user-role',
          text: labelFor(ROLE_LABELS, user.role),
        }),
      );
      currentUser.title = user.name;
      currentUser.dataset.role = user.role;
    },
    clear() {
      currentUser.replaceChildren();
      currentUser.removeAttribute('title');
      delete currentUser.dataset.role;
    },
  };
}
