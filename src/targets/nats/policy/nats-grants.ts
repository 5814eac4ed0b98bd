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
  const publishAllow: string[] = [];
  const publishDeny: string[] = [];
  const subscribeAllow: string[] = [];
  const subscribeDeny: string[] = [];
  // Plain loops: a merge runs for most principals, and four closures and flatMaps per merge add up.
  for (const { entry } of sources) {
    for (const subject of entry.publish.allow) publishAllow.push(subject);
    for (const subject of entry.publish.deny) publishDeny.push(subject);
    for (const subject of entry.subscribe.allow) subscribeAllow.push(subject);
    for (const subject of entry.subscribe.deny) subscribeDeny.push(subject);
  }
  return {
    account: sources[0]!.entry.account,
    publish: { allow: sortedUnique(publishAllow), deny: sortedUnique(publishDeny) },
    subscribe: { allow: sortedUnique(subscribeAllow), deny: sortedUnique(subscribeDeny) },
    because: sortedProvenance(sources),
  };
}
