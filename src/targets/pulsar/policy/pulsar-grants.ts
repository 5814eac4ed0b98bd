import {
  compareStrings,
  sortedProvenance,
  type GrantSource,
} from "../../../policy/compile/compile-grants.js";
import { PULSAR_ACTIONS } from "./pulsar-model.js";
import type {
  PulsarAction,
  PulsarGrant,
  PulsarResource,
  PulsarRoleEntry,
  PulsarSettings,
} from "./pulsar-model.js";
import { isPulsarEntryManaged } from "./pulsar-scope.js";

/** Tenant admin grants without actions; any other entry needs at least one. */
export function compilesPulsarEntry(entry: PulsarRoleEntry, settings: PulsarSettings): boolean {
  return (entry.kind === "tenantAdmin" || entry.actions.length > 0) && isPulsarEntryManaged(entry, settings);
}

export function pulsarResourceOf(entry: PulsarRoleEntry): { key: string; resource: PulsarResource } {
  const resource: PulsarResource =
    entry.kind === "namespace"
      ? { kind: "namespace", name: entry.namespace }
      : entry.kind === "topic"
        ? { kind: "topic", name: entry.topic }
        : { kind: "tenant", name: entry.tenant };
  return { key: `${resource.kind}:${resource.name}`, resource };
}

const SORTED_ACTIONS = [...PULSAR_ACTIONS].sort(compareStrings);
const ACTION_BIT = new Map(SORTED_ACTIONS.map((action, index) => [action, 1 << index]));
/** Few distinct action sets exist: each list is built once and shared by every grant that has it. */
const actionLists = new Map<number, readonly PulsarAction[]>();

export function mergePulsarGrants(
  sources: readonly GrantSource<PulsarRoleEntry, PulsarResource>[],
): PulsarGrant {
  let mask = 0;
  for (const { entry } of sources) {
    if (entry.kind !== "tenantAdmin") for (const action of entry.actions) mask |= ACTION_BIT.get(action) ?? 0;
  }
  let actions = actionLists.get(mask);
  if (actions === undefined) {
    actions = SORTED_ACTIONS.filter((_, index) => (mask & (1 << index)) !== 0);
    actionLists.set(mask, actions);
  }
  const first = sources[0] as GrantSource<PulsarRoleEntry, PulsarResource>;
  return { resource: first.resource, actions, because: sortedProvenance(sources) };
}
