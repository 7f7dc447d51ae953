import type { Generated } from 'kysely';

/**
 * Row shapes of the platform's own tables. Stead's tables store times as ISO-8601 UTC text (identical on SQLite
 * and PostgreSQL, sortable as text) and avoid booleans, which the two dialects store differently. Each feature
 * declares its own tables in `features/<x>/<x>.tables.ts`; `feature-list.ts` composes them all into `Database`.
 */

/** Tables of the platform itself: small settings and claims (`steadMeta`). */
export interface PlatformTables {
  steadMeta: { key: string; value: string; updatedAt: Generated<string> };
}

/** The embedded job queue's tables are declared beside it (platform/queue/queue.tables.ts). */
export type { QueueTables } from '../queue/queue.tables.ts';
