import type { FileReport } from "../../../policy/load/load-diagnostics.js";
import type { RoleEntries } from "../../../policy/targets/target-policy.js";
import type { PulsarAction, PulsarRoleEntry, PulsarSettings } from "./pulsar-model.js";
import { topicNamespace } from "./pulsar-names.js";
import type { PulsarSettingsInput } from "./pulsar-schema.js";
import { isPulsarEntryManaged } from "./pulsar-scope.js";

/** Inside the managed scope, or what is outside it and which setting would bring it in. */
export function pulsarScopeError(
  entry: PulsarRoleEntry,
  settings: PulsarSettings | undefined,
): string | undefined {
  if (settings !== undefined && isPulsarEntryManaged(entry, settings)) return undefined;
  const what =
    entry.kind === "tenantAdmin"
      ? `tenant ${entry.tenant}`
      : entry.kind === "namespace"
        ? `namespace ${entry.namespace}`
        : `topic ${entry.topic}`;
  if (settings === undefined) {
    return `${what} is not managed: settings.yaml has no \`pulsar:\` section; add \`pulsar.manage\` or remove this entry`;
  }
  const fix =
    entry.kind === "tenantAdmin"
      ? `add ${entry.tenant} to \`pulsar.manage.tenants\` in settings.yaml (tenant admin needs the whole tenant managed)`
      : "add its tenant to `pulsar.manage.tenants` or its namespace to `pulsar.manage.namespaces` in settings.yaml";
  return `${what} is outside the managed scope; ${fix}, or remove this entry`;
}

/**
 * A namespace named twice, a topic named twice, or a topic already covered by the role's grant on its
 * namespace: harmless, but removing one of them changes nothing, which misleads a reviewer. Warnings.
 */
export function checkPulsarRole(source: RoleEntries<PulsarRoleEntry>): void {
  const { role } = source;
  const namespaceActions = new Map<string, Set<PulsarAction>>();
  source.entries.forEach((entry, index) => {
    if (entry.kind !== "namespace") return;
    const offset = source.offsets[index] ?? source.roleOffset;
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
  source.entries.forEach((entry, index) => {
    if (entry.kind !== "topic") return;
    const offset = source.offsets[index] ?? source.roleOffset;
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

/**
 * A single namespace listed under `pulsar.manage.namespaces` whose tenant is already managed as a whole
 * changes nothing; removing the tenant later would silently keep the namespace managed. A warning.
 */
export function checkManagedNamespaces(settings: PulsarSettingsInput, report: FileReport): void {
  const tenants = new Set(settings.manage?.tenants ?? []);
  for (const namespace of settings.manage?.namespaces ?? []) {
    const tenant = namespace.value.split("/")[0] ?? "";
    if (tenants.has(tenant)) {
      report.warning(
        namespace.offset,
        `namespace ${namespace.value} is already managed through tenant ${tenant}; remove it from \`pulsar.manage.namespaces\``,
      );
    }
  }
}
