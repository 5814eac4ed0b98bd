import type { SourceLocation } from "../model/model.js";
import type { PrincipalAccess, Provenance } from "../model/effective-access.js";

/**
 * One role entry as reached through one binding, prepared once and shared by every member the binding
 * reaches: walking 10k people must not allocate per person and grant more than a list push.
 */
export interface GrantSource<E, R = unknown> {
  readonly entry: E;
  /** The resource it grants on, as its target keys it: `namespace:acme/payments`, or a NATS account. */
  readonly resourceKey: string;
  /** The target's resource value, shared by every grant on it. */
  readonly resource: R;
  readonly because: Provenance;
  /** `[because]`, shared by every grant this source alone explains. */
  readonly alone: readonly Provenance[];
}

export function prepareSource<E, R>(
  entry: E,
  resourceOf: (entry: E) => { readonly key: string; readonly resource: R },
  because: Provenance,
): GrantSource<E, R> {
  const { key, resource } = resourceOf(entry);
  return { entry, resourceKey: key, resource, because, alone: [because] };
}

interface Holder<S> {
  personId: string;
  /** One source alone (the common case, no list allocated), or every source on that resource. */
  readonly grants: Map<string, S | S[]>;
}

/**
 * Collects grants per principal while bindings are walked, then merges and hands them out in sorted order
 * so the result does not depend on the order files or bindings were read in.
 */
export class GrantCollector<S extends { readonly resourceKey: string }, G> {
  private readonly holders = new Map<string, Holder<S>>();

  constructor(private readonly merge: (sources: readonly S[]) => G) {}

  add(principal: string, personId: string, source: S): void {
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
      const holder = this.holders.get(principal) as Holder<S>;
      const keys = [...holder.grants.keys()];
      if (keys.length > 1) keys.sort();
      const grants = keys.map((key) => {
        const sources = holder.grants.get(key) as S | S[];
        return this.merge(Array.isArray(sources) ? sources : [sources]);
      });
      result.set(principal, { personId: holder.personId, grants });
    }
    return result;
  }
}

export function compareStrings(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Sorts `values` in place and drops repeats. */
export function sortedUnique(values: string[]): string[] {
  values.sort(compareStrings);
  return values.filter((value, index) => index === 0 || value !== values[index - 1]);
}

/** Provenance in one order whatever order bindings were read in, each binding → role → entry once. */
export function sortedProvenance(
  sources: readonly { readonly because: Provenance; readonly alone: readonly Provenance[] }[],
): readonly Provenance[] {
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
