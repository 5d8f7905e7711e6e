// The app shell: header, navigation between the dashboard, history and settings, and the login notice.
import type { ReactElement } from 'react';
import type { Route } from './hash-route';
import { editedModelOf, hrefOf, useHashRoute } from './hash-route';
import { useLiveView } from './live-state';
import { AddModelPage } from './pages/add-model-page';
import { CostsPage } from './pages/costs-page';
import { DashboardPage } from './pages/dashboard-page';
import { EditModelPage } from './pages/edit-model-page';
import { HistoryPage } from './pages/history-page';
import { SettingsPage } from './pages/settings-page';

const PAGES: ReadonlyArray<{ readonly route: Route; readonly label: string }> = [
  { route: 'dashboard', label: 'Dashboard' },
  { route: 'history', label: 'History' },
  { route: 'costs', label: 'Costs' },
  { route: 'settings', label: 'Settings' },
  { route: 'add', label: 'Add model' },
];

/** The whole UI. */
export function App(): ReactElement {
  const route = useHashRoute();
  const view = useLiveView();
  const linkText = view.error
    ? 'Offline'
    : view.link === 'live'
      ? 'Live'
      : view.link === 'connecting'
        ? 'Connecting…'
        : 'Reconnecting…';
  return (
    <div className="app">
      <header className="app-header">
        <h1 className="brand">Siesta</h1>
        <nav aria-label="Pages">
          <ul className="nav-list">
            {PAGES.map((p) => (
              <li key={p.route}>
                <a href={hrefOf(p.route)} aria-current={route === p.route ? 'page' : undefined}>
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span
          className={`link-status link-${view.error ? 'offline' : view.link}`}
          role="status"
          aria-label={`Connection: ${linkText}`}
        >
          {linkText}
        </span>
      </header>
      <main>
        {view.error?.status === 401 ? (
          <section className="notice" role="alert">
            <h2>Not logged in</h2>
            <p>
              Open the login link that <code>siesta serve</code> printed (it looks like{' '}
              <code>http://127.0.0.1:11401/login?token=…</code>) to use the dashboard in this
              browser.
            </p>
          </section>
        ) : view.error ? (
          <section className="notice" role="alert">
            <h2>Siesta does not answer</h2>
            <p>{view.error.message}</p>
          </section>
        ) : route === 'dashboard' ? (
          <DashboardPage view={view} />
        ) : route === 'add' ? (
          <AddModelPage view={view} />
        ) : route === 'edit' ? (
          <EditModelPage
            key={window.location.hash}
            view={view}
            name={editedModelOf(window.location.hash)}
          />
        ) : route === 'history' ? (
          <HistoryPage />
        ) : route === 'costs' ? (
          <CostsPage settingsVersion={view.settingsVersion} />
        ) : (
          <SettingsPage settingsVersion={view.settingsVersion} />
        )}
      </main>
    </div>
  );
}
