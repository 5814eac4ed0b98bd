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
  /** Every source reaching the principal, grouped by resource only when collected. */
  readonly sources: S[];
}

/**
 * Collects grants per principal while bindings are walked, then merges and hands them out in sorted order
 * so the result does not depend on the order files or bindings were read in.
 */
export class GrantCollector<S extends { readonly resourceKey: string }, G> {
  private readonly holders = new Map<string, Holder<S>>();

  constructor(private readonly merge: (sources: readonly S[]) => G) {}

  /** One principal reached by a binding: every source of its role on this target at once. */
  add(principal: string, personId: string, sources: readonly S[]): void {
    if (sources.length === 0) return;
    let holder = this.holders.get(principal);
    if (holder === undefined) {
      holder = { personId, sources: [] };
      this.holders.set(principal, holder);
    } else if (personId < holder.personId) {
      // Two people rendering to one principal is a validation error; the lower SCIM id wins so the answer
      // still does not depend on binding order.
      holder.personId = personId;
    }
    for (const source of sources) holder.sources.push(source);
  }

  collect(): Map<string, PrincipalAccess<G>> {
    const result = new Map<string, PrincipalAccess<G>>();
    // Most grants come from one source alone, shared by every member of a binding: merged once, the grant
    // is shared too (grants are never mutated), which spares an object per principal and resource.
    const alone = new Map<S, G>();
    const mergeAlone = (source: S): G => {
      let grant = alone.get(source);
      if (grant === undefined) {
        grant = this.merge([source]);
        alone.set(source, grant);
      }
      return grant;
    };
    // The default sort compares UTF-16 code units, like compareStrings, and runs natively.
    for (const principal of [...this.holders.keys()].sort()) {
      const holder = this.holders.get(principal) as Holder<S>;
      const sources = holder.sources;
      // Stable: sources on one resource stay in the order bindings reached them.
      if (sources.length > 1) sources.sort(byResource);
      const grants: G[] = [];
      for (let start = 0; start < sources.length;) {
        const key = (sources[start] as S).resourceKey;
        let end = start + 1;
        while (end < sources.length && (sources[end] as S).resourceKey === key) end++;
        grants.push(
          end - start === 1 ? mergeAlone(sources[start] as S) : this.merge(sources.slice(start, end)),
        );
        start = end;
      }
      result.set(principal, { personId: holder.personId, grants });
    }
    return result;
  }
}

function byResource(left: { readonly resourceKey: string }, right: { readonly resourceKey: string }): number {
  return compareStrings(left.resourceKey, right.resourceKey);
}

export function compareStrings(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Sorts `values` in place and drops repeats. */
export function sortedUnique(values: string[]): string[] {
  // The default sort compares UTF-16 code units, like compareStrings, and runs natively.
  values.sort();
  let kept = 0;
  for (let index = 0; index < values.length; index++) {
    const value = values[index] as string;
    if (index === 0 || value !== values[kept - 1]) values[kept++] = value;
  }
  values.length = kept;
  return values;
}

/** Provenance in one order whatever order bindings were read in, each binding → role → entry once. */
export function sortedProvenance(
  sources: readonly { readonly because: Provenance; readonly alone: readonly Provenance[] }[],
): readonly Provenance[] {
  if (sources.length === 1) return sources[0]!.alone;
  const sorted = sources.map((source) => source.because).sort(compareProvenance);
  let kept = 0;
  for (let index = 0; index < sorted.length; index++) {
    const because = sorted[index] as Provenance;
    if (index === 0 || compareProvenance(because, sorted[kept - 1] as Provenance) !== 0)
      sorted[kept++] = because;
  }
  sorted.length = kept;
  return sorted;
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
