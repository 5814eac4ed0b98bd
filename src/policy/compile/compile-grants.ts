import type { NatsRoleEntry, PulsarAction, PulsarRoleEntry, SourceLocation } from "../model/model.js";
import { PULSAR_ACTIONS } from "../model/model.js";
import type {
  NatsGrant,
  PrincipalAccess,
  Provenance,
  PulsarGrant,
  PulsarResource,
} from "../model/effective-access.js";

/**
 * One role entry as reached through one binding, prepared once and shared by every member the binding
 * reaches: walking 10k people must not allocate per person and grant more than a list push.
 */
export interface GrantSource<E> {
  readonly entry: E;
  /** The resource it grants on: `namespace:acme/payments`, or the NATS account. */
  readonly resourceKey: string;
  readonly because: Provenance;
  /** `[because]`, shared by every grant this source alone explains. */
  readonly alone: readonly Provenance[];
  /** Pulsar only: the resource object, shared by every grant on it. */
  readonly resource: PulsarResource | undefined;
}

export function prepareSource<E extends PulsarRoleEntry | NatsRoleEntry>(
  entry: E,
  because: Provenance,
): GrantSource<E> {
  const resource = "account" in entry ? undefined : pulsarResourceOf(entry);
  const resourceKey = resource === undefined ? (entry as NatsRoleEntry).account : resourceKeyOf(resource);
  return { entry, resourceKey, because, alone: [because], resource };
}

interface Holder<E> {
  personId: string;
  /** One source alone (the common case, no list allocated), or every source on that resource. */
  readonly grants: Map<string, GrantSource<E> | GrantSource<E>[]>;
}

/**
 * Collects grants per principal while bindings are walked, then merges and hands them out in sorted order
 * so the result does not depend on the order files or bindings were read in.
 */
class GrantCollector<E, G> {
  private readonly holders = new Map<string, Holder<E>>();

  constructor(private readonly merge: (sources: readonly GrantSource<E>[]) => G) {}

  add(principal: string, personId: string, source: GrantSource<E>): void {
    let holder = this.holders.get(principal);
    if (holder === undefined) {
      holder = { personId, grants: new Map() };
      this.holders.set(principal, holder);
    } else if (personId < holder.personId) {
      // Two people rendering to one principal is a validation error; the lower SCIM id wins so the answer
      // still does not depend on binding order.
      holder.personId = personId;
    }
    const sources = holder.grants.get(source.resourceKey);
    if (sources === undefined) holder.grants.set(source.resourceKey, source);
    else if (Array.isArray(sources)) sources.push(source);
    else holder.grants.set(source.resourceKey, [sources, source]);
  }

  collect(): Map<string, PrincipalAccess<G>> {
    const result = new Map<string, PrincipalAccess<G>>();
    // The default sort compares UTF-16 code units, like compareStrings, and runs natively.
    for (const principal of [...this.holders.keys()].sort()) {
      const holder = this.holders.get(principal) as Holder<E>;
      const keys = [...holder.grants.keys()];
      if (keys.length > 1) keys.sort();
      const grants = keys.map((key) => {
        const sources = holder.grants.get(key) as GrantSource<E> | GrantSource<E>[];
        return this.merge(Array.isArray(sources) ? sources : [sources]);
      });
      result.set(principal, { personId: holder.personId, grants });
    }
    return result;
  }
}

export class PulsarGrantCollector extends GrantCollector<PulsarRoleEntry, PulsarGrant> {
  constructor() {
    super(mergePulsar);
  }
}

export class NatsGrantCollector extends GrantCollector<NatsRoleEntry, NatsGrant> {
  constructor() {
    super(mergeNats);
  }
}

const SORTED_ACTIONS = [...PULSAR_ACTIONS].sort(compareStrings);
const ACTION_BIT = new Map(SORTED_ACTIONS.map((action, index) => [action, 1 << index]));
const actionLists = new Map<number, readonly PulsarAction[]>();

function mergePulsar(sources: readonly GrantSource<PulsarRoleEntry>[]): PulsarGrant {
  let mask = 0;
  for (const { entry } of sources) {
    if (entry.kind !== "tenantAdmin") for (const action of entry.actions) mask |= ACTION_BIT.get(action) ?? 0;
  }
  let actions = actionLists.get(mask);
  if (actions === undefined) {
    actions = SORTED_ACTIONS.filter((_, index) => (mask & (1 << index)) !== 0);
    actionLists.set(mask, actions);
  }
  const first = sources[0] as GrantSource<PulsarRoleEntry>;
  return {
    resource: first.resource ?? pulsarResourceOf(first.entry),
    actions,
    because: sortedProvenance(sources),
  };
}

function mergeNats(sources: readonly GrantSource<NatsRoleEntry>[]): NatsGrant {
  const union = (pick: (entry: NatsRoleEntry) => readonly string[]): string[] =>
    sortedUnique(sources.length === 1 ? [...pick(sources[0]!.entry)] : sources.flatMap((s) => pick(s.entry)));
  return {
    account: sources[0]!.entry.account,
    publish: { allow: union((e) => e.publish.allow), deny: union((e) => e.publish.deny) },
    subscribe: { allow: union((e) => e.subscribe.allow), deny: union((e) => e.subscribe.deny) },
    because: sortedProvenance(sources),
  };
}

function pulsarResourceOf(entry: PulsarRoleEntry): PulsarResource {
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

function resourceKeyOf(resource: PulsarResource): string {
  return `${resource.kind}:${resource.name}`;
}

function sortedUnique(values: string[]): string[] {
  values.sort(compareStrings);
  return values.filter((value, index) => index === 0 || value !== values[index - 1]);
}

/** Provenance in one order whatever order bindings were read in, each binding → role → entry once. */
function sortedProvenance<E>(sources: readonly GrantSource<E>[]): readonly Provenance[] {
  if (sources.length === 1) return sources[0]!.alone;
  const sorted = sources.map((source) => source.because).sort(compareProvenance);
  return sorted.filter(
    (because, index) => index === 0 || compareProvenance(because, sorted[index - 1]!) !== 0,
  );
}

function compareProvenance(left: Provenance, right: Provenance): number {
  return (
    compareStrings(left.subject, right.subject) ||
    compareLocations(left.binding, right.binding) ||
    compareStrings(left.role, right.role) ||
    compareLocations(left.roleEntry, right.roleEntry)
  );
}

function compareLocations(left: SourceLocation, right: SourceLocation): number {
  return compareStrings(left.file, right.file) || left.line - right.line || left.col - right.col;
}
