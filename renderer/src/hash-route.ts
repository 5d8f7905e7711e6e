// A tiny hash router (no router package is installed): `#/`, `#/history`, `#/settings`.
import { useEffect, useState } from 'react';

/** The pages. */
export type Route = 'dashboard' | 'history' | 'settings';

/** The route of a location hash; unknown hashes show the dashboard. */
export function routeOf(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '');
  if (path === '/history') return 'history';
  if (path === '/settings') return 'settings';
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
