/** The Playground's logic. */
import type { Model, ModelAlias } from '@/lib/api.ts';

/** The playground's choices: `auto`, then aliases, then the models that chat. */
export function chatChoices(models: readonly Model[], aliases: readonly ModelAlias[]): { aliases: string[]; models: Model[] } {
  return {
    aliases: aliases.map((alias) => alias.name).sort((a, b) => a.localeCompare(b)),
    models: models.filter((model) => model.capabilities.includes('chat')).sort((a, b) => a.qualifiedName.localeCompare(b.qualifiedName)),
  };
}
