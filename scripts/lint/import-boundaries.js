import { dirname, relative, resolve, sep } from 'node:path';

/**
 * The layering of apps/server/src as an ESLint rule (docs/architecture.md, "Layers"):
 * - `platform/` and `config/` never import a feature, nor the composition that lists the features
 *   (app.ts, build-app.ts, feature-list.ts, compose-features.ts, feature.ts, main.ts, cli/);
 * - a feature imports another feature's `<x>.service.ts`, `<x>.schema.ts`, `<x>.events.ts` and `<x>.kinds.ts` (the
 *   contract by which features contribute kinds of work to it, e.g. run kinds) only: never its repository,
 *   tables, routes, commands or anything else (reach another feature through its service).
 *
 * Options: `{ root: 'apps/server/src', allow: [{ from, to, reason }] }`; `allow` lists the exceptions, each
 * with the reason it exists (paths relative to the root).
 */
const composition = new Set(['app.ts', 'build-app.ts', 'feature-list.ts', 'compose-features.ts', 'feature.ts', 'main.ts']);
const crossFeatureSuffixes = ['.service.ts', '.schema.ts', '.events.ts', '.kinds.ts'];

const place = (root, file) => {
  const path = relative(root, file).split(sep).join('/');
  if (path.startsWith('..')) return undefined;
  const [top, second] = path.split('/');
  if (top === 'platform') return { layer: 'platform', path };
  if (top === 'config') return { layer: 'config', path };
  if (top === 'cli') return { layer: 'composition', path };
  if (top === 'features' && second) return { layer: 'feature', feature: second, path };
  if (composition.has(path)) return { layer: 'composition', path };
  return { layer: 'other', path };
};

export const importBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps platform and config free of features, and features out of each other’s internals' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          allow: { type: 'array', items: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' }, reason: { type: 'string', minLength: 1 } }, required: ['from', 'to', 'reason'] } },
        },
        required: ['root'],
      },
    ],
  },
  create(context) {
    const { root: rootOption, allow = [] } = context.options[0];
    const root = resolve(context.cwd, rootOption);
    const from = place(root, context.filename);
    if (!from) return {};

    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const to = place(root, resolve(dirname(context.filename), source));
      if (!to || allow.some((entry) => entry.from === from.path && entry.to === to.path)) return;
      if ((from.layer === 'platform' || from.layer === 'config') && (to.layer === 'feature' || to.layer === 'composition')) {
        context.report({ node, message: `${from.layer}/ must not import ${to.path}: ${from.layer} code knows no feature (take what you need as a parameter or a generic)` });
      } else if (from.layer === 'feature' && to.layer === 'feature' && to.feature !== from.feature && !crossFeatureSuffixes.some((suffix) => to.path.endsWith(suffix))) {
        context.report({ node, message: `features/${from.feature} must not import ${to.path}: another feature is reached through its service, schemas and events only` });
      }
    };

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
