/**
 * Replaces the credentials of a URL (`postgres://user:pass@host/db`) with `****`. Everything up to the last
 * `@` before the path is masked, because drivers accept an unencoded `@` inside a password.
 */
export const maskUrlCredentials = (url: string): string => url.replace(/\/\/[^/?#]*@/, '//****@');
