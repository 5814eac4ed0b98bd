import type { FileReport } from "../../../policy/load/load-diagnostics.js";
import { DEFAULT_PRINCIPAL } from "../../../policy/load/load-settings.js";
import type { NatsRoleEntry, NatsSettings, SubjectPermissions } from "./nats-model.js";
import type { NatsEntryInput, NatsSettingsInput } from "./nats-schema.js";

export const DEFAULT_BUCKET = "scim-gitops-access";

/** An entry with no subjects at all is refused: an empty permission set means everything to NATS. */
export function normalizeNatsEntry(item: NatsEntryInput, report: FileReport): NatsRoleEntry | undefined {
  if (item.account === undefined) return undefined;
  if (item.$keys.publish === undefined && item.$keys.subscribe === undefined) {
    report.error(
      item.$offset,
      `the \`nats\` entry for account ${item.account} lists no subjects; add \`publish:\` or \`subscribe:\` (an empty permission set means everything to NATS)`,
    );
    return undefined;
  }
  return {
    account: item.account,
    publish: toPermissions(item.publish),
    subscribe: toPermissions(item.subscribe),
    at: report.at(item.$offset),
  };
}

function toPermissions(value: NatsEntryInput["publish"]): SubjectPermissions {
  if (value === undefined) return { allow: [], deny: [] };
  if (Array.isArray(value)) return { allow: value, deny: [] };
  return { allow: value.allow ?? [], deny: value.deny ?? [] };
}

export function normalizeNatsSettings(input: NatsSettingsInput): NatsSettings {
  return {
    principal: input.principal ?? DEFAULT_PRINCIPAL,
    manage: { accounts: input.manage?.accounts ?? [] },
    protectedPrincipals: input.protectedPrincipals ?? [],
    bucket: input.bucket ?? DEFAULT_BUCKET,
  };
}
