import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/support/test-server.ts';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumAvailable = existsSync(chromiumPath);
if (!chromiumAvailable) {
  if (process.env.STEAD_TEST_REQUIRE === 'all') throw new Error(`STEAD_TEST_REQUIRE=all but Chromium is missing at ${chromiumPath}`);
  console.warn(`[skip] API reference browser test skipped: no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`);
}

/** The API reference page gets the same strict headers as the rest of the server, with a CSP scoped to what it loads. */
describe('API reference page (/api/docs)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = (await startTestServer('sqlite', { backgroundWork: false }))!;
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each(['/api/docs', '/api/docs/', '/api/docs/static/swagger-ui-bundle.js', '/api/docs/json'])('%s has a strict CSP and the security headers', async (url) => {
    const response = await server.call({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    const csp = String(response.headers['content-security-policy']);
    const directives = new Map(csp.split(';').map((part) => part.trim().split(/\s+/)).map(([name = '', ...values]) => [name, values]));
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'self'"]);
    expect(directives.get('form-action')).toEqual(["'self'"]);
    expect(csp).not.toMatch(/unsafe-eval|unsafe-inline|https:|\*|upgrade-insecure-requests|swagger\.io/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('is branded as Stead: title, favicon and logo, no Swagger or Fastify name in the page', async () => {
    const page = await server.call({ method: 'GET', url: '/api/docs/' });
    expect(page.body).toContain('<title>Stead API reference</title>');
    expect(page.body).toContain('theme/favicon.svg');
    expect(page.body).not.toMatch(/<title>Swagger UI|favicon-32x32/);
    const favicon = await server.call({ method: 'GET', url: '/api/docs/static/theme/favicon.svg' });
    expect(favicon.statusCode).toBe(200);
    expect(favicon.headers['content-type']).toContain('image/svg+xml');
    const initializer = await server.call({ method: 'GET', url: '/api/docs/static/swagger-initializer.js' });
    const logo = /img\.src = 'data:image\/svg\+xml;base64,([^']+)'/.exec(initializer.body)?.[1];
    expect(Buffer.from(logo ?? '', 'base64').toString()).toContain('Stead API');
  });

  it.skipIf(!chromiumAvailable)('loads in Chromium, with and without the trailing slash, and renders every operation without a CSP violation or console error', async () => {
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.app.server.address() as AddressInfo;
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      for (const [path, viewport] of [['/api/docs/', { width: 1280, height: 900 }], ['/api/docs', { width: 390, height: 844 }]] as const) {
        const page = await browser.newPage({ viewport });
        const problems: string[] = [];
        page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
        page.on('console', (message) => {
          if (message.type() === 'error' || message.type() === 'warning' || /content security policy/i.test(message.text())) problems.push(`console ${message.type()}: ${message.text()}`);
        });
        await page.addInitScript({
          content: "document.addEventListener('securitypolicyviolation', (event) => console.error('Content Security Policy violation: ' + event.violatedDirective + ' ' + event.blockedURI));",
        });
        await page.goto(`http://127.0.0.1:${port}${path}`);
        await page.waitForSelector('.swagger-ui .opblock', { timeout: 20_000 });
        expect(await page.title()).toBe('Stead API reference');
        expect(await page.locator('.swagger-ui .opblock').count()).toBeGreaterThan(20);
        // The Stead logo replaced Swagger's in the top bar.
        await page.waitForSelector('.topbar-wrapper img[src^="data:image/svg+xml"]', { timeout: 10_000 });
        // Open one operation (its schema and "Try it out") and try it out.
        await page.locator('.swagger-ui .opblock-summary').first().click();
        await page.waitForSelector('.swagger-ui .opblock-body', { timeout: 10_000 });
        await page.locator('.swagger-ui .try-out__btn').first().click();
        await page.waitForTimeout(300);
        if (process.env.STEAD_SCREENSHOTS) await page.screenshot({ path: `${process.env.STEAD_SCREENSHOTS}/api-docs-${viewport.width}.png` });
        expect(problems).toEqual([]);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  }, 90_000);
});
