import type { FileReport } from "../../../policy/load/load-diagnostics.js";
import { DEFAULT_PRINCIPAL } from "../../../policy/load/load-settings.js";
import type { PulsarAction, PulsarRoleEntry, PulsarSettings } from "./pulsar-model.js";
import type { PulsarEntryInput, PulsarSettingsInput } from "./pulsar-schema.js";

/** An entry with no actions left grants nothing and is dropped (the schema already reported why). */
export function normalizePulsarEntry(
  item: PulsarEntryInput,
  report: FileReport,
): PulsarRoleEntry | undefined {
  const at = report.at(item.$offset);
  if ("tenantAdmin" in item && item.tenantAdmin !== undefined) {
    return { kind: "tenantAdmin", tenant: item.tenantAdmin, at };
  }
  const actions = "actions" in item ? uniqueActions(item.actions) : [];
  if (actions.length === 0) return undefined;
  if ("namespace" in item && item.namespace !== undefined) {
    return { kind: "namespace", namespace: item.namespace, actions, at };
  }
  if ("topic" in item && item.topic !== undefined) {
    return { kind: "topic", topic: item.topic, actions, at };
  }
  return undefined;
}

function uniqueActions(actions: readonly string[] | undefined): PulsarAction[] {
  return [...new Set(actions ?? [])].sort() as PulsarAction[];
}

export function normalizePulsarSettings(input: PulsarSettingsInput): PulsarSettings {
  return {
    principal: input.principal ?? DEFAULT_PRINCIPAL,
    manage: {
      tenants: input.manage?.tenants ?? [],
      namespaces: (input.manage?.namespaces ?? []).map((namespace) => namespace.value),
    },
    protectedPrincipals: input.protectedPrincipals ?? [],
    unloadOnRevoke: input.unloadOnRevoke ?? true,
    prune: input.prune ?? false,
  };
}
