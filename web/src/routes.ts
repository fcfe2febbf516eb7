import type { Component } from 'svelte';
import AccountPage from './pages/account/AccountPage.svelte';
import AccountsPage from './pages/AccountsPage.svelte';
import AdminPage from './pages/AdminPage.svelte';
import AlertsPage from './pages/AlertsPage.svelte';
import CohortsPage from './pages/CohortsPage.svelte';
import DataPage from './pages/data/DataPage.svelte';
import LabPage from './pages/LabPage.svelte';
import OverviewPage from './pages/OverviewPage.svelte';
import TrendsPage from './pages/TrendsPage.svelte';

export interface AppRoute {
  /** Pattern with optional `:param` segments; read params from `router.match.params`. */
  path: string;
  /** Page title: the h1, and the document title as "Title · Vitals". */
  title: string;
  component: Component;
  /** Shown in the main navigation, in table order. */
  nav: boolean;
}

export const ROUTES: readonly AppRoute[] = [
  { path: '/', title: 'Overview', component: OverviewPage, nav: true },
  { path: '/cohorts', title: 'Cohorts', component: CohortsPage, nav: true },
  { path: '/trends', title: 'Trends', component: TrendsPage, nav: true },
  { path: '/accounts', title: 'Accounts', component: AccountsPage, nav: true },
  { path: '/accounts/:id', title: 'Account', component: AccountPage, nav: false },
  { path: '/lab', title: 'Lab', component: LabPage, nav: true },
  { path: '/alerts', title: 'Alerts', component: AlertsPage, nav: true },
  { path: '/admin', title: 'Admin', component: AdminPage, nav: true },
  { path: '/data', title: 'Data', component: DataPage, nav: true },
];

export const NOT_FOUND_TITLE = 'Page not found';

export function documentTitle(pageTitle: string): string {
  return `${pageTitle} · Vitals`;
}
