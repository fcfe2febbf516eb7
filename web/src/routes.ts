import type { Component } from 'svelte';
import type { Role } from './lib/session.svelte.ts';
import AccountPage from './pages/account/AccountPage.svelte';
import AccountsPage from './pages/AccountsPage.svelte';
import AdminPage from './pages/AdminPage.svelte';
import AlertsPage from './pages/AlertsPage.svelte';
import CohortsPage from './pages/CohortsPage.svelte';
import DataPage from './pages/data/DataPage.svelte';
import LabPage from './pages/LabPage.svelte';
import OverviewPage from './pages/OverviewPage.svelte';
import SignInPage from './pages/SignInPage.svelte';
import TrendsPage from './pages/TrendsPage.svelte';

export interface AppRoute {
  /** Pattern with optional `:param` segments; read params from `router.match.params`. */
  path: string;
  /** Page title: the h1, and the document title as "Title · Vitals". */
  title: string;
  component: Component;
  /** Shown in the main navigation, in table order. */
  nav: boolean;
  /** The least role that may use the page; without one, anyone signed in may. */
  role?: Role;
}

export const ROUTES: readonly AppRoute[] = [
  { path: '/', title: 'Overview', component: OverviewPage, nav: true },
  { path: '/cohorts', title: 'Cohorts', component: CohortsPage, nav: true },
  { path: '/trends', title: 'Trends', component: TrendsPage, nav: true },
  { path: '/accounts', title: 'Accounts', component: AccountsPage, nav: true },
  { path: '/accounts/:id', title: 'Account', component: AccountPage, nav: false },
  { path: '/lab', title: 'Lab', component: LabPage, nav: true, role: 'analyst' },
  { path: '/alerts', title: 'Alerts', component: AlertsPage, nav: true },
  { path: '/admin', title: 'Admin', component: AdminPage, nav: true, role: 'admin' },
  { path: '/data', title: 'Data', component: DataPage, nav: true },
  { path: '/signin', title: 'Sign in', component: SignInPage, nav: false },
];

export const NOT_FOUND_TITLE = 'Page not found';

export function documentTitle(pageTitle: string): string {
  return `${pageTitle} · Vitals`;
}
