import { isNatsAccountManaged, isPulsarEntryManaged } from "../compile/compile-scope.js";
import type { PulsarRoleEntry } from "../model/model.js";
import type { RuleInput } from "./rule-input.js";

/**
 * Apply never touches anything outside the scope settings.yaml manages, so a grant outside it would never
 * happen: an error, naming the setting that would bring it in scope.
 */
export function checkManagedScope(input: RuleInput): void {
  const { pulsar, nats } = input.policy.settings;
  for (const source of input.roles) {
    source.role.pulsar.forEach((entry, index) => {
      if (pulsar !== undefined && isPulsarEntryManaged(entry, pulsar)) return;
      source.report.error(
        source.pulsarOffsets[index] ?? source.offset,
        pulsarScopeMessage(entry, pulsar === undefined),
      );
    });
    source.role.nats.forEach((entry, index) => {
      if (nats !== undefined && isNatsAccountManaged(entry.account, nats)) return;
      source.report.error(
        source.natsOffsets[index] ?? source.offset,
        nats === undefined
          ? `NATS account ${entry.account} is not managed: settings.yaml has no \`nats:\` section; add \`nats.manage.accounts: [${entry.account}]\` or remove this entry`
          : `NATS account ${entry.account} is outside the managed scope; add it to \`nats.manage.accounts\` in settings.yaml or remove this entry`,
      );
    });
  }
}

function pulsarScopeMessage(entry: PulsarRoleEntry, noPulsar: boolean): string {
  const what =
    entry.kind === "tenantAdmin"
      ? `tenant ${entry.tenant}`
      : entry.kind === "namespace"
        ? `namespace ${entry.namespace}`
        : `topic ${entry.topic}`;
  if (noPulsar) {
    return `${what} is not managed: settings.yaml has no \`pulsar:\` section; add \`pulsar.manage\` or remove this entry`;
  }
  const fix =
    entry.kind === "tenantAdmin"
      ? `add ${entry.tenant} to \`pulsar.manage.tenants\` in settings.yaml (tenant admin needs the whole tenant managed)`
      : "add its tenant to `pulsar.manage.tenants` or its namespace to `pulsar.manage.namespaces` in settings.yaml";
  return `${what} is outside the managed scope; ${fix}, or remove this entry`;
}
