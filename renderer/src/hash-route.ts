// A tiny hash router (no router package is installed): `#/`, `#/history`, `#/costs`, `#/settings`, `#/add`, `#/edit/NAME`.
import { useEffect, useState } from 'react';

/** The pages. */
export type Route = 'dashboard' | 'history' | 'costs' | 'settings' | 'add' | 'edit';

/** The route of a location hash; unknown hashes show the dashboard. */
export function routeOf(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '');
  if (path === '/history') return 'history';
  if (path === '/costs') return 'costs';
  if (path === '/settings') return 'settings';
  if (path === '/add') return 'add';
  if (path.startsWith('/edit/')) return 'edit';
  return 'dashboard';
}

/** The link of a route. */
export function hrefOf(route: Route): string {
  return route === 'dashboard' ? '#/' : `#/${route}`;
}

/** The current route, following `hashchange`. */
export function useHashRoute(): Route {
  const [route, setRoute] = useState<Route>(() => routeOf(window.location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(routeOf(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** The model a `#/edit/NAME` hash names ('' elsewhere). */
export function editedModelOf(hash: string): string {
  const match = /^#?\/edit\/([^/]+)\/?$/.exec(hash);
  try {
    return match?.[1] ? decodeURIComponent(match[1]) : '';
  } catch {
    return '';
  }
}
