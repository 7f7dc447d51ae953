import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * The Content-Security-Policy of the API reference (`/api/docs`, Swagger UI served by @fastify/swagger-ui). The
 * plugin's own `staticCSP: true` policy allows styles and fonts from any https origin, images from
 * validator.swagger.io, framing by the same origin, and forces `upgrade-insecure-requests` (which breaks the page
 * on a plain-http LAN install). This one allows exactly what the page loads: its scripts, styles and the spec from
 * this origin, the `data:` images and fonts inside swagger-ui.css, and by hash the one inline `<style>` it renders
 * (the two fill colours of the Swagger logo's SVG). No inline script, no eval, no framing.
 * `docs-page.test.ts` loads the page in Chromium and fails on any violation.
 */
export const docsContentSecurityPolicy = [
  "default-src 'self'",
  "base-uri 'self'",
  "connect-src 'self'",
  "font-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  // `.logo_small_svg__cls-2{fill:#fff}.logo_small_svg__cls-3{fill:#85ea2d}`, the <style> of the logo in the top bar.
  "style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='",
  "worker-src 'self'",
].join('; ');

/** Stead's mark (the web app's favicon), for the tab and the top bar. */
const steadMark =
  '<rect width="64" height="64" rx="14" fill="#18181b"/><path d="M14 40 L32 16 L50 40 Z" fill="none" stroke="#34d399" stroke-width="5" stroke-linejoin="round"/><rect x="14" y="44" width="36" height="5" rx="2.5" fill="#fafafa"/>';
const faviconSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">${steadMark}</svg>`;
/** The top bar's logo: the mark and "Stead API", drawn white on the dark bar. Shown as a `data:` image (img-src allows it). */
const logoSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 260 64" width="260" height="64">${steadMark}<text x="80" y="43" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="30" font-weight="600" fill="#fafafa">Stead API</text></svg>`;

/** Stead's look over Swagger UI's: the dark top bar of the web app, without the "Explore" box (the page documents this server only). */
const themeCss = `
.swagger-ui .topbar { background: #18181b; padding: 8px 0; }
.swagger-ui .topbar .download-url-wrapper { display: none; }
.swagger-ui .topbar-wrapper a { max-width: none; }
.swagger-ui .topbar-wrapper img { height: 40px; width: auto; }
.swagger-ui .info .title small.version-stamp { background: #059669; }
.swagger-ui .info .title small pre { color: inherit; }
.swagger-ui .btn.authorize { border-color: #059669; color: #059669; }
.swagger-ui .btn.authorize svg { fill: #059669; }
`;

/**
 * The API reference at `/api/docs`: Swagger UI (from @fastify/swagger-ui) under Stead's name, mark and colours,
 * with the strict policy above. Everything it loads comes from this server; nothing inline but the hashed style.
 */
export const registerDocsPage = async (app: FastifyInstance): Promise<void> => {
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: docsContentSecurityPolicy,
    logo: { type: 'image/svg+xml', content: Buffer.from(logoSvg), href: '/api/docs/', target: '_self' },
    theme: {
      title: 'Stead API reference',
      favicon: [{ filename: 'favicon.svg', rel: 'icon', sizes: 'any', type: 'image/svg+xml', content: Buffer.from(faviconSvg) }],
      css: [{ filename: 'stead.css', content: themeCss }],
    },
    uiConfig: { docExpansion: 'list', deepLinking: true, displayRequestDuration: true, defaultModelsExpandDepth: 0, tryItOutEnabled: false },
  });
};
