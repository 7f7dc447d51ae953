/**
 * External services for tests. A suite that needs PostgreSQL or Redis asks for it here: when the service is
 * not configured the suite is skipped with a printed reason, unless `STEAD_TEST_REQUIRE=all` (set by CI
 * after provisioning everything), in which case the missing service fails the run instead of hiding tests.
 */
export type TestService = 'postgres' | 'redis';

const variableOf: Record<TestService, string> = {
  postgres: 'STEAD_TEST_POSTGRES_URL',
  redis: 'STEAD_TEST_REDIS_URL',
};

const reported = new Set<TestService>();

/** The service's URL, or `undefined` (after printing why the dependent tests skip). */
export const serviceUrl = (service: TestService): string | undefined => {
  const variable = variableOf[service];
  const url = process.env[variable];
  if (url) return url;
  if (process.env.STEAD_TEST_REQUIRE === 'all') {
    throw new Error(`STEAD_TEST_REQUIRE=all but ${variable} is not set: ${service} tests cannot run`);
  }
  if (!reported.has(service)) {
    reported.add(service);
    console.warn(`[skip] ${service} tests skipped: set ${variable} to run them`);
  }
  return undefined;
};
