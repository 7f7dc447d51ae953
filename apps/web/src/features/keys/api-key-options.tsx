import type { ApiKey } from '@/lib/api.ts';

/** The `<option>`s of a select that picks an API key: its name and the visible start of its secret. */
export function ApiKeyOptions({ keys }: { keys: readonly Pick<ApiKey, 'id' | 'name' | 'prefix'>[] }) {
  return keys.map((key) => (
    <option key={key.id} value={key.id}>
      {key.name} ({key.prefix}…)
    </option>
  ));
}
