import { defineTargetPolicy } from "../../../policy/targets/target-policy.js";
import { diffNatsGrants } from "./nats-diff.js";
import { isNatsAccountManaged, mergeNatsGrants, natsResourceOf } from "./nats-grants.js";
import type { NatsGrant, NatsRoleEntry, NatsSettings } from "./nats-model.js";
import { normalizeNatsEntry, normalizeNatsSettings } from "./nats-normalize.js";
import { natsEntrySchema, natsSettingsSchema } from "./nats-schema.js";

/** NATS's part of the policy: per-account publish and subscribe permissions inside `nats.manage.accounts`. */
export const natsPolicy = defineTargetPolicy({
  name: "nats",
  title: "NATS",
  settingsSchema: natsSettingsSchema,
  normalizeSettings: normalizeNatsSettings,
  entrySchema: natsEntrySchema,
  normalizeEntry: normalizeNatsEntry,
  scopeError: natsScopeError,
  compiles: (entry, settings) => isNatsAccountManaged(entry.account, settings),
  resourceOf: natsResourceOf,
  mergeGrants: mergeNatsGrants,
  diffGrants: diffNatsGrants,
  describeGrant: describeNatsGrant,
});

function natsScopeError(entry: NatsRoleEntry, settings: NatsSettings | undefined): string | undefined {
  if (settings === undefined) {
    return `NATS account ${entry.account} is not managed: settings.yaml has no \`nats:\` section; add \`nats.manage.accounts: [${entry.account}]\` or remove this entry`;
  }
  if (isNatsAccountManaged(entry.account, settings)) return undefined;
  return `NATS account ${entry.account} is outside the managed scope; add it to \`nats.manage.accounts\` in settings.yaml or remove this entry`;
}

function describeNatsGrant(grant: NatsGrant): string[] {
  const side = (name: string, permissions: NatsGrant["publish"]): string =>
    `${name} allow ${permissions.allow.join(", ") || "nothing"}` +
    (permissions.deny.length > 0 ? `; deny ${permissions.deny.join(", ")}` : "");
  return [`account ${grant.account}`, side("publish", grant.publish), side("subscribe", grant.subscribe)];
}
