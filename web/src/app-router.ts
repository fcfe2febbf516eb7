import { createContext } from 'svelte';
import type { Router } from './router/router.svelte.ts';
import type { AppRoute } from './routes.ts';

/**
 * The app's router, for pages that read or change the URL, e.g. `getRouter().setQuery(...)`.
 * Kept apart from routes.ts so pages can import it without an import cycle.
 */
export const [getRouter, setRouter] = createContext<Router<AppRoute>>();
