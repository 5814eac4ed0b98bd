import type { NatsRoleEntry, PulsarAction, PulsarRoleEntry, SourceLocation } from "./model.js";
import type {
  NatsGrant,
  PrincipalAccess,
  Provenance,
  PulsarGrant,
  PulsarResource,
} from "./effective-access.js";

/**
 * Collects grants per principal while bindings are walked, then hands them out in sorted order so the
 * result does not depend on the order files or bindings were read in.
 */
interface Holder<T> {
  personId: string;
  readonly grants: Map<string, T>;
}

interface PulsarDraft {
  readonly resource: PulsarResource;
  readonly actions: Set<PulsarAction>;
  readonly because: Map<string, Provenance>;
}

interface NatsDraft {
  readonly publishAllow: Set<string>;
  readonly publishDeny: Set<string>;
  readonly subscribeAllow: Set<string>;
  readonly subscribeDeny: Set<string>;
  readonly because: Map<string, Provenance>;
}

export class PulsarGrantCollector {
  private readonly holders = new Map<string, Holder<PulsarDraft>>();

  add(principal: string, personId: string, entry: PulsarRoleEntry, because: Provenance): void {
    const resource = pulsarResourceOf(entry);
    const grants = holderFor(this.holders, principal, personId).grants;
    const key = `${resource.kind}:${resource.name}`;
    let draft = grants.get(key);
    if (draft === undefined) {
      draft = { resource, actions: new Set(), because: new Map() };
      grants.set(key, draft);
    }
    if (entry.kind !== "tenantAdmin") for (const action of entry.actions) draft.actions.add(action);
    draft.because.set(provenanceKey(because), because);
  }

  collect(): Map<string, PrincipalAccess<PulsarGrant>> {
    return collectHolders(this.holders, (draft) => ({
      resource: draft.resource,
      actions: [...draft.actions].sort(compareStrings),
      because: sortedProvenance(draft.because),
    }));
  }
}

export class NatsGrantCollector {
  private readonly holders = new Map<string, Holder<NatsDraft>>();

  add(principal: string, personId: string, entry: NatsRoleEntry, because: Provenance): void {
    const grants = holderFor(this.holders, principal, personId).grants;
    let draft = grants.get(entry.account);
    if (draft === undefined) {
      draft = {
        publishAllow: new Set(),
        publishDeny: new Set(),
        subscribeAllow: new Set(),
        subscribeDeny: new Set(),
        because: new Map(),
      };
      grants.set(entry.account, draft);
    }
    for (const subject of entry.publish.allow) draft.publishAllow.add(subject);
    for (const subject of entry.publish.deny) draft.publishDeny.add(subject);
    for (const subject of entry.subscribe.allow) draft.subscribeAllow.add(subject);
    for (const subject of entry.subscribe.deny) draft.subscribeDeny.add(subject);
    draft.because.set(provenanceKey(because), because);
  }

  collect(): Map<string, PrincipalAccess<NatsGrant>> {
    return collectHolders(this.holders, (draft, account) => ({
      account,
      publish: { allow: sortedSet(draft.publishAllow), deny: sortedSet(draft.publishDeny) },
      subscribe: { allow: sortedSet(draft.subscribeAllow), deny: sortedSet(draft.subscribeDeny) },
      because: sortedProvenance(draft.because),
    }));
  }
}

export function pulsarResourceOf(entry: PulsarRoleEntry): PulsarResource {
  switch (entry.kind) {
    case "namespace":
      return { kind: "namespace", name: entry.namespace };
    case "topic":
      return { kind: "topic", name: entry.topic };
    case "tenantAdmin":
      return { kind: "tenant", name: entry.tenant };
  }
}

export function compareStrings(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function holderFor<T>(holders: Map<string, Holder<T>>, principal: string, personId: string): Holder<T> {
  let holder = holders.get(principal);
  if (holder === undefined) {
    holder = { personId, grants: new Map() };
    holders.set(principal, holder);
  } else if (compareStrings(personId, holder.personId) < 0) {
    // Two people rendering to one principal is a validation error; the lower SCIM id wins so the answer
    // still does not depend on binding order.
    holder.personId = personId;
  }
  return holder;
}

function collectHolders<T, G>(
  holders: Map<string, Holder<T>>,
  finish: (draft: T, key: string) => G,
): Map<string, PrincipalAccess<G>> {
  const result = new Map<string, PrincipalAccess<G>>();
  for (const principal of [...holders.keys()].sort(compareStrings)) {
    const holder = holders.get(principal);
    if (holder === undefined) continue;
    const grants = [...holder.grants.keys()]
      .sort(compareStrings)
      .map((key) => finish(holder.grants.get(key) as T, key));
    result.set(principal, { personId: holder.personId, grants });
  }
  return result;
}

function sortedSet(values: Set<string>): string[] {
  return [...values].sort(compareStrings);
}

function sortedProvenance(because: Map<string, Provenance>): Provenance[] {
  return [...because.keys()].sort(compareStrings).map((key) => because.get(key) as Provenance);
}

function provenanceKey(because: Provenance): string {
  return [because.subject, location(because.binding), because.role, location(because.roleEntry)].join(
    "\u0000",
  );
}

function location(at: SourceLocation): string {
  return `${at.file}\u0000${String(at.line).padStart(9, "0")}\u0000${String(at.col).padStart(9, "0")}`;
}
