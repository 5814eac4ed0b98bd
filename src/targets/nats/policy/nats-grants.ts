import { sortedProvenance, sortedUnique, type GrantSource } from "../../../policy/compile/compile-grants.js";
import type { NatsGrant, NatsRoleEntry, NatsSettings } from "./nats-model.js";

export function isNatsAccountManaged(account: string, settings: NatsSettings): boolean {
  return settings.manage.accounts.includes(account);
}

/** The account is the resource: every role naming it merges into one grant per principal. */
export function natsResourceOf(entry: NatsRoleEntry): { key: string; resource: string } {
  return { key: entry.account, resource: entry.account };
}

export function mergeNatsGrants(sources: readonly GrantSource<NatsRoleEntry, string>[]): NatsGrant {
  const union = (pick: (entry: NatsRoleEntry) => readonly string[]): string[] =>
    sortedUnique(sources.length === 1 ? [...pick(sources[0]!.entry)] : sources.flatMap((s) => pick(s.entry)));
  return {
    account: sources[0]!.entry.account,
    publish: { allow: union((e) => e.publish.allow), deny: union((e) => e.publish.deny) },
    subscribe: { allow: union((e) => e.subscribe.allow), deny: union((e) => e.subscribe.deny) },
    because: sortedProvenance(sources),
  };
}
