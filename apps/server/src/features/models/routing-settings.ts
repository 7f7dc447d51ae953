import type { Clock, Ids } from '../../platform/clock/clock.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import type { BudgetLimits, Budgets, BudgetUsage } from './budgets.ts';
import { readOnly, sameRule } from './declared-entries.ts';
import type { ModelsRepository } from './models.repository.ts';
import type { AliasView, DataClass, RouteRuleRequest, RouteRuleView } from './models.schema.ts';
import type { Alias, ModelsKeys, RouteRule } from './models.types.ts';

export interface DataClassDefaults {
  workspace: DataClass;
  keys: Record<string, DataClass>;
}

/** What routing is told by people: aliases, rules, budgets and default data classes of a workspace. */
export interface RoutingSettings {
  /** Limits and what is used of them now, for the workspace (`keyId` null) and each key that has its own. */
  budgets(workspaceId: string): Promise<{ keyId: string | null; limits: BudgetLimits; usage: BudgetUsage }[]>;
  /** Sets the limits of the workspace (no `keyId`) or of one key; all-null limits remove them. */
  setBudget(workspaceId: string, keyId: string | undefined, limits: BudgetLimits): Promise<{ keyId: string | null; limits: BudgetLimits; usage: BudgetUsage }[]>;
  listAliases(workspaceId: string): Promise<AliasView[]>;
  setAlias(workspaceId: string, alias: { name: string; targets: string[] }): Promise<AliasView>;
  removeAlias(workspaceId: string, name: string): Promise<void>;
  listRules(workspaceId: string): Promise<RouteRuleView[]>;
  /**
   * Replaces the ordered list of rules made here (the editor saves the whole list). Declared rules stay first;
   * the list may start with them, sent back unchanged as GET lists them, and then they are left as they are.
   * Changing, moving or dropping one of them that way is refused.
   */
  replaceRules(workspaceId: string, rules: RouteRuleRequest[]): Promise<RouteRuleView[]>;
  dataClassDefaults(workspaceId: string): Promise<DataClassDefaults>;
  /** `keyId` absent: the workspace default (null resets it to `internal`). */
  setDataClassDefault(workspaceId: string, keyId: string | undefined, dataClass: DataClass | null): Promise<DataClassDefaults>;
}

export interface RoutingSettingsOptions {
  repository: ModelsRepository;
  budgets: Pick<Budgets, 'read'>;
  keys: ModelsKeys;
  clock: Clock;
  ids: Ids;
  /** Settings changed: routing must not keep using what it had. */
  invalidate(workspaceId: string): void;
}

const aliasView = ({ id, name, targets, declared, updatedAt }: Alias): AliasView => ({ id, name, targets, declared, updatedAt });
const ruleView = ({ id, position, name, match, targets, enabled, cacheTtlSeconds, declared, updatedAt }: RouteRule): RouteRuleView => ({ id, position, name, match, targets, enabled, cacheTtlSeconds, declared, updatedAt });

export const createRoutingSettings = ({ repository, budgets, keys, clock, ids, invalidate }: RoutingSettingsOptions): RoutingSettings => {
  const keyNotFound = (keyId: string) => new SteadError('key_not_found', `No API key ${keyId} in this workspace`);

  const listBudgets = async (workspaceId: string) =>
    Promise.all(
      (await repository.listBudgets(workspaceId)).map(async ({ keyId, limits }) => {
        const usage = await budgets.read({ label: '', id: keyId ? `${workspaceId}:${keyId}` : workspaceId, limits });
        return { keyId, limits, usage };
      }),
    );
  const listAliases = async (workspaceId: string) => (await repository.listAliases(workspaceId)).map(aliasView);
  const listRules = async (workspaceId: string) => (await repository.listRules(workspaceId)).map(ruleView);
  const dataClassDefaults = async (workspaceId: string): Promise<DataClassDefaults> => {
    const defaults = await repository.listDataClassDefaults(workspaceId);
    return {
      workspace: defaults.find((entry) => entry.keyId === null)?.dataClass ?? 'internal',
      keys: Object.fromEntries(defaults.flatMap((entry) => (entry.keyId === null ? [] : [[entry.keyId, entry.dataClass]]))),
    };
  };
  const refuseDeclaredAlias = async (workspaceId: string, name: string) => {
    if ((await repository.listAliases(workspaceId)).some((alias) => alias.name === name && alias.declared)) throw readOnly(`Alias ${name}`);
  };

  return {
    budgets: listBudgets,

    async setBudget(workspaceId, keyId, limits) {
      if (Object.values(limits).every((value) => value === null)) await repository.deleteBudget(workspaceId, keyId ?? null);
      else if (keyId && !(await keys.exists(workspaceId, keyId))) throw keyNotFound(keyId);
      else await repository.setBudget(workspaceId, { keyId: keyId ?? null, limits }, clock.now().toISOString());
      invalidate(workspaceId);
      return listBudgets(workspaceId);
    },

    listAliases,

    async setAlias(workspaceId, alias) {
      await refuseDeclaredAlias(workspaceId, alias.name);
      const at = clock.now().toISOString();
      await repository.upsertAlias({ id: ids.next(), workspaceId, name: alias.name, targets: alias.targets, createdAt: at, updatedAt: at });
      invalidate(workspaceId);
      return (await listAliases(workspaceId)).find((entry) => entry.name === alias.name)!;
    },

    async removeAlias(workspaceId, name) {
      await refuseDeclaredAlias(workspaceId, name);
      if (!(await repository.deleteAlias(workspaceId, name))) throw new SteadError('model_not_found', `No alias ${name} in this workspace`);
      invalidate(workspaceId);
    },

    listRules,

    async replaceRules(workspaceId, rules) {
      const declaredRules = (await repository.listRules(workspaceId)).filter((rule) => rule.declared);
      const declaredNames = new Set(declaredRules.map((rule) => rule.name));
      let own = rules;
      if (rules.some((rule) => declaredNames.has(rule.name))) {
        const differing = declaredRules.find((stored, index) => !rules[index] || rules[index].name !== stored.name || !sameRule(stored, rules[index]));
        if (differing) throw readOnly(`Route rule "${differing.name}"`, 'send it unchanged and ahead of the others, or leave it out; change, move or remove it in the file');
        own = rules.slice(declaredRules.length);
        const clash = own.find((rule) => declaredNames.has(rule.name));
        if (clash) throw readOnly(`Route rule "${clash.name}"`, 'give the rule made here another name, or change the declared one in the file');
      }
      const at = clock.now().toISOString();
      await repository.replaceRules(
        workspaceId,
        own.map((rule, position) => ({ id: ids.next(), workspaceId, position, name: rule.name, match: rule.match, targets: rule.targets, enabled: rule.enabled, cacheTtlSeconds: rule.cacheTtlSeconds, declared: false, createdAt: at, updatedAt: at })),
      );
      invalidate(workspaceId);
      return listRules(workspaceId);
    },

    dataClassDefaults,

    async setDataClassDefault(workspaceId, keyId, dataClass) {
      if (keyId && dataClass !== null && !(await keys.exists(workspaceId, keyId))) throw keyNotFound(keyId);
      await repository.setDataClassDefault(workspaceId, keyId ?? null, dataClass, clock.now().toISOString());
      invalidate(workspaceId);
      return dataClassDefaults(workspaceId);
    },
  };
};
