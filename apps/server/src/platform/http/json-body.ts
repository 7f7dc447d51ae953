import type { FastifyInstance } from 'fastify';
import { SteadError } from '../errors/stead-error.ts';

/**
 * The deepest nesting of arrays and objects a JSON request body may have. Every Stead body is a few levels deep
 * (an OpenAI chat request with tool schemas is about 10); 64 leaves room for JSON-schema tool parameters and
 * free-form task input, and keeps every later recursive walk (zod, `JSON.stringify`, the database drivers) far
 * from the stack limit that 10,000 levels reach.
 */
export const maxJsonDepth = 64;

const openBrace = 0x7b;
const openBracket = 0x5b;
const closeBrace = 0x7d;
const closeBracket = 0x5d;
const quote = 0x22;
const backslash = 0x5c;

/**
 * The deepest nesting of `text` read as JSON, stopping as soon as it passes `limit`: one linear scan, no
 * recursion, brackets inside strings ignored. It does not validate; `JSON.parse` does that afterwards.
 */
export const jsonDepthExceeds = (text: string, limit: number): boolean => {
  let depth = 0;
  const length = text.length;
  for (let index = 0; index < length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === quote) {
      // Jump to the closing quote: strings carry most of a body's bytes, and indexOf skips them natively.
      for (;;) {
        const end = text.indexOf('"', index + 1);
        if (end === -1) return false;
        let backslashes = 0;
        while (text.charCodeAt(end - 1 - backslashes) === backslash) backslashes += 1;
        index = end;
        if (backslashes % 2 === 0) break;
      }
    } else if (code === openBrace || code === openBracket) {
      depth += 1;
      if (depth > limit) return true;
    } else if (code === closeBrace || code === closeBracket) {
      depth -= 1;
    }
  }
  return false;
};

/**
 * Replaces Fastify's `application/json` parser with one that first refuses bodies nested deeper than
 * `maxJsonDepth` (400 `invalid_body`), then parses with Fastify's own default parser: secure-json-parse with
 * the instance's `onProtoPoisoning`/`onConstructorPoisoning` settings (both `error` by default, so a body with
 * `__proto__` or `constructor.prototype` is refused), and the same empty-body and invalid-JSON errors.
 * Registered on the root instance before any route, so every route has it.
 */
export const registerJsonBodyParser = (app: FastifyInstance, options: { maxDepth?: number } = {}): void => {
  const maxDepth = options.maxDepth ?? maxJsonDepth;
  const parse = app.getDefaultJsonParser(app.initialConfig.onProtoPoisoning ?? 'error', app.initialConfig.onConstructorPoisoning ?? 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body: string, done) => {
    if (jsonDepthExceeds(body, maxDepth)) {
      done(new SteadError('invalid_body', `The JSON body is nested deeper than ${maxDepth} levels`, { details: { maxDepth } }), undefined);
      return;
    }
    parse(request, body, done);
  });
};
