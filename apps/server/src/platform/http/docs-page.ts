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
