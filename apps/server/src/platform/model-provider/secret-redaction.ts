/**
 * Removing the secrets Stead sends to an upstream (its API key, any other credential header) from text the
 * upstream sent back. Vendors echo keys in error messages (OpenAI's 401 "Incorrect API key provided: …"), and
 * such a message would otherwise reach the caller, task errors, events, logs and the usage ledger. Applied where
 * provider errors are made (`provider-call.ts`), so everything downstream only ever sees clean text.
 */

/** What a secret is replaced with. */
export const redactedMarker = '[redacted]';

/** Headers whose values are credentials, besides those an adapter names as its own authentication. */
const credentialHeaderPattern = /^(?:authorization|proxy-authorization|cookie|x-api-key|api-key)$|(?:key|token|secret|password|auth)/i;

/** A shorter secret is matched only whole: any run of its characters would match ordinary text. */
const minimumWhole = 4;
/** Runs of this many characters of a secret are redacted too (a truncated echo), for secrets at least `partialFrom` long. */
const partialWindow = 12;
const partialFrom = 20;

/** The value a credential header carries, without its scheme: `Bearer <key>` gives `<key>`; `Basic` also its user and password. */
const valuesOfHeader = (value: string): string[] => {
  const match = /^(\w+)\s+(\S+)$/.exec(value.trim());
  if (!match) return [value];
  const [, scheme = '', token = ''] = match;
  const values = [value, token];
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    values.push(decoded, ...decoded.split(':'));
  }
  return values;
};

/**
 * The secrets of a call: the values of the adapter's authentication headers and of every configured header
 * whose name says it holds a credential. Other headers (`anthropic-version`) are not secrets.
 */
export const secretsOfHeaders = (authHeaders: Record<string, string>, extraHeaders: Record<string, string> = {}): string[] => {
  const values = [
    ...Object.entries(authHeaders).filter(([name]) => credentialHeaderPattern.test(name)),
    ...Object.entries(extraHeaders).filter(([name]) => credentialHeaderPattern.test(name)),
  ].flatMap(([, value]) => valuesOfHeader(value));
  return [...new Set(values.filter((value) => value.length >= minimumWhole))];
};

export type Redact = (text: string) => string;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A function that removes every form of these secrets from a text: the secret itself, as JSON escapes it (the raw
 * body of an upstream answer) and as a URL encodes it, and any run of 12 of its characters for secrets of 20 or
 * more (a key the upstream echoed truncated). Masked echoes such as `sk-abc***…wxyz` are already safe and stay.
 */
export const createRedactor = (secrets: readonly string[]): Redact => {
  if (secrets.length === 0) return (text) => text;
  const forms = new Set<string>();
  const windows = new Set<string>();
  for (const secret of secrets) {
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
    if (secret.length >= partialFrom) for (let index = 0; index + partialWindow <= secret.length; index += 1) windows.add(secret.slice(index, index + partialWindow));
  }
  // Longest first, so a secret that contains another is replaced whole.
  const whole = new RegExp([...forms].sort((left, right) => right.length - left.length).map(escapeRegExp).join('|'), 'g');
  return (text) => {
    let clean = text.replace(whole, redactedMarker);
    if (windows.size === 0 || clean.length < partialWindow) return clean;
    // Marks every character covered by a window of a secret, then replaces each marked run once.
    const marked = new Uint8Array(clean.length);
    let any = false;
    for (let index = 0; index + partialWindow <= clean.length; index += 1) {
      if (windows.has(clean.slice(index, index + partialWindow))) {
        marked.fill(1, index, index + partialWindow);
        any = true;
      }
    }
    if (!any) return clean;
    let result = '';
    for (let index = 0; index < clean.length; ) {
      if (marked[index] === 0) {
        result += clean[index];
        index += 1;
        continue;
      }
      while (index < clean.length && marked[index] === 1) index += 1;
      result += redactedMarker;
    }
    clean = result;
    return clean;
  };
};
