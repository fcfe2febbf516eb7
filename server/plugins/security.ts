import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

export interface SecurityPluginOptions {
  /**
   * Whether the app is known to be reached over HTTPS (COOKIE_SECURE=true). Only then is
   * Strict-Transport-Security sent: on an internal network the app is often served over plain
   * http, and pinning a host name to https there would lock users out.
   */
  https: boolean;
}

/**
 * The Content-Security-Policy, every directive explicit (helmet's defaults are not used, so a
 * helmet upgrade cannot widen it). Everything is same-origin: the built app is one script
 * bundle, one stylesheet and a favicon, all served by this server.
 *
 * - style-src 'self' without 'unsafe-inline': Svelte's `style:` directives and vega's SVG
 *   renderer set styles through the CSSOM (`element.style.setProperty`), which CSP does not
 *   govern; vega-embed's and vega-tooltip's injected <style> elements are turned off in
 *   web/src/charts/vega.ts.
 * - script-src 'self' without 'unsafe-eval': vega expressions are interpreted
 *   (vega-interpreter), never compiled with `new Function`.
 * - img-src data: inline images (vega image marks, CSS icons) as data: URLs; the app draws none
 *   today, and they can reach no other origin.
 * - No upgrade-insecure-requests: the app is often served over plain http on an internal
 *   network, where upgrading its own requests to https would break every one of them.
 */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
} as const;

/**
 * Security headers on every response (the app, the API, errors and 404s alike): helmet runs in
 * an onRequest hook of the root instance, so this is registered before any route.
 */
export default fp<SecurityPluginOptions>(
  async (app, { https }) => {
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: Object.fromEntries(
          Object.entries(CSP_DIRECTIVES).map(([name, sources]) => [name, [...sources]]),
        ),
      },
      // The same as frame-ancestors 'none', for browsers that predate it.
      xFrameOptions: { action: 'deny' },
      strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
    });
  },
  { name: 'security' },
);
