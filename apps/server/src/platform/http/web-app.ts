import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { repositoryRoot } from '../../repository-root.ts';

/** Where `npm run build` puts the dashboard. */
export const defaultWebDir = join(repositoryRoot, 'apps/web/dist');

export const webAppBuilt = (webDir: string): boolean => existsSync(join(webDir, 'index.html'));

/**
 * Serves the built dashboard at `/`. Unknown non-API paths answer with `index.html` so client-side routes
 * survive a reload; hashed assets are cached for a year, `index.html` and the service worker never.
 */
export const registerWebApp = async (app: FastifyInstance, webDir: string) => {
  if (!webAppBuilt(webDir)) return undefined;
  await app.register(fastifyStatic, {
    root: webDir,
    wildcard: true,
    index: ['index.html'],
    // Our own headers below; the plugin's default would send `max-age=0` for everything.
    cacheControl: false,
    setHeaders: (response, path) => {
      const immutable = path.includes(`${join(webDir, 'assets')}`);
      response.setHeader('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return (request: FastifyRequest, reply: FastifyReply): boolean => {
    const path = request.url.split('?')[0] ?? '';
    if ((request.method !== 'GET' && request.method !== 'HEAD') || path.startsWith('/api/') || path === '/api' || path === '/metrics') return false;
    void reply.header('cache-control', 'no-cache').sendFile('index.html');
    return true;
  };
};
