import type { PulsarAction, Role } from "../model/model.js";
import type { BindingSource, RoleSource } from "../load/load-access.js";
import { topicNamespace } from "../schema/pulsar-names.js";
import type { RuleInput } from "./rule-input.js";

/**
 * Overlaps are harmless to access but mislead a reviewer: removing one of two equal grants changes
 * nothing, which is not what the person removing it expects. Warnings, each naming what to remove.
 */
export function checkOverlaps(input: RuleInput): void {
  checkRepeatedBindings(input.bindings);
  for (const source of input.roles) checkRoleEntries(source);
}

function checkRepeatedBindings(bindings: readonly BindingSource[]): void {
  const seen = new Map<string, BindingSource>();
  for (const source of bindings) {
    const { kind, name } = source.binding.subject;
    for (const ref of source.roleRefs) {
      const key = `${kind}\u0000${name.toLowerCase()}\u0000${ref.name}`;
      const earlier = seen.get(key);
      if (earlier === undefined) {
        seen.set(key, source);
        continue;
      }
      const at = earlier.binding.at;
      const place =
        earlier === source ? "earlier in this binding" : `by the binding at ${at.file}:${at.line}:${at.col}`;
      source.report.warning(
        ref.offset,
        `role \`${ref.name}\` is already bound to ${kind} \`${name}\` ${place}; remove one of them`,
      );
    }
  }
}

function checkRoleEntries(source: RoleSource): void {
  const role: Role = source.role;
  const namespaceActions = new Map<string, Set<PulsarAction>>();
  role.pulsar.forEach((entry, index) => {
    if (entry.kind !== "namespace") return;
    const offset = source.pulsarOffsets[index] ?? source.offset;
    if (namespaceActions.has(entry.namespace)) {
      source.report.warning(
        offset,
        `role \`${role.name}\` names namespace ${entry.namespace} twice; merge the actions into one entry`,
      );
    }
    const actions = namespaceActions.get(entry.namespace) ?? new Set<PulsarAction>();
    for (const action of entry.actions) actions.add(action);
    namespaceActions.set(entry.namespace, actions);
  });
  const topics = new Set<string>();
  role.pulsar.forEach((entry, index) => {
    if (entry.kind !== "topic") return;
    const offset = source.pulsarOffsets[index] ?? source.offset;
    if (topics.has(entry.topic)) {
      source.report.warning(
        offset,
        `role \`${role.name}\` names topic ${entry.topic} twice; merge them into one entry`,
      );
      return;
    }
    topics.add(entry.topic);
    const namespace = topicNamespace(entry.topic) ?? "";
    const covering = namespaceActions.get(namespace);
    if (covering !== undefined && entry.actions.every((action) => covering.has(action))) {
      source.report.warning(
        offset,
        `topic ${entry.topic} is already covered by this role's grant on namespace ${namespace}; remove the topic entry`,
      );
    }
  });
}
