import type { AccessChange } from "../diff/access-change.js";
import type { GrantSource } from "../compile/compile-grants.js";
import type { EffectiveAccess, Provenance, TargetAccess } from "../model/effective-access.js";
import type { Role, Settings, SourceLocation } from "../model/model.js";
import type { FileReport } from "../load/load-diagnostics.js";
import type { Decoder } from "../schema/decoder.js";

/** What every target's settings section holds, whatever else it adds (DESIGN §3). */
export interface TargetSettings {
  /** Template over user fields: `{userName}`, `{id}`, `{externalId}`, `{emails[0]}`. */
  readonly principal: string;
  /** Never granted by bindings, never revoked. */
  readonly protectedPrincipals: readonly string[];
}

export interface TargetEntry {
  readonly at: SourceLocation;
}

export interface TargetGrant {
  readonly because: readonly Provenance[];
}

/** One role's entries for one target, with where each was written, for rules that report on them. */
export interface RoleEntries<E> {
  readonly role: Role;
  readonly entries: readonly E[];
  /** Offsets of `entries`, in order. */
  readonly offsets: readonly number[];
  readonly report: FileReport;
  /** Offset of the role's name, for an entry whose own offset is unknown. */
  readonly roleOffset: number;
}

/**
 * A target's part of the policy (STYLE habit 4): everything the pure core must know about one target's
 * role entries and settings section, so the core itself names no target. A target's adapter points at its
 * part (`Target.policy`), and `targets/registry.ts` is the one table that lists them.
 */
export interface TargetPolicy<
  SI,
  S extends TargetSettings,
  EI,
  E extends TargetEntry,
  G extends TargetGrant,
  R,
> {
  /** The key of its section in settings.yaml and in a role, e.g. `pulsar`; also its name in plans. */
  readonly name: string;
  /** For people: `Pulsar`. */
  readonly title: string;
  /** The settings.yaml section; build it with the shared `principal` and `protectedPrincipals` fields. */
  readonly settingsSchema: Decoder<SI>;
  /** The section with its defaults applied. */
  normalizeSettings(input: SI): S;
  /** Warnings about the section alone, reported against settings.yaml. */
  checkSettings?(input: SI, report: FileReport): void;
  /** One item of a role's list for this target. */
  readonly entrySchema: Decoder<EI>;
  /** The entry as the model holds it; undefined drops it (it grants nothing, or what it lacks was reported). */
  normalizeEntry(input: EI, report: FileReport): E | undefined;
  /** Why an entry lies outside the managed scope and what to write instead; undefined when inside it. */
  scopeError(entry: E, settings: S | undefined): string | undefined;
  /** Warnings within one role (overlapping entries). */
  checkRole?(role: RoleEntries<E>): void;
  /** Whether compile turns the entry into a grant: inside the managed scope and granting something. */
  compiles(entry: E, settings: S): boolean;
  /** The resource an entry grants on; entries with one key merge into one grant. */
  resourceOf(entry: E): { readonly key: string; readonly resource: R };
  /** Every source on one resource of one principal → its grant (sorted, deduplicated, provenance kept). */
  mergeGrants(sources: readonly GrantSource<E, R>[]): G;
  /** One principal's grants before and after → what changed, per resource. */
  diffGrants(principal: string, before: readonly G[], after: readonly G[]): AccessChange[];
  /** A grant for `explain`: the first line names the resource, the others say more. */
  describeGrant(grant: G): readonly string[];
}

/** Typed reads of the target's own parts of the generic model, for the target's own code. */
export interface TypedTargetPolicy<
  SI,
  S extends TargetSettings,
  EI,
  E extends TargetEntry,
  G extends TargetGrant,
  R,
> extends TargetPolicy<SI, S, EI, E, G, R> {
  settingsOf(settings: Settings): S | undefined;
  entriesOf(role: Role): readonly E[];
  accessOf(access: EffectiveAccess): TargetAccess<G>;
}

// Targets differ in every type; the registry erases them at this one boundary.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTargetPolicy = TargetPolicy<any, any, any, any, any, any>;

const NO_ACCESS: TargetAccess<never> = { principals: new Map(), retired: new Set() };

export function defineTargetPolicy<
  SI,
  S extends TargetSettings,
  EI,
  E extends TargetEntry,
  G extends TargetGrant,
  R,
>(part: TargetPolicy<SI, S, EI, E, G, R>): TypedTargetPolicy<SI, S, EI, E, G, R> {
  return {
    ...part,
    settingsOf: (settings) => settings.targets.get(part.name) as S | undefined,
    entriesOf: (role) => (role.entries.get(part.name) ?? []) as readonly E[],
    accessOf: (access) => (access.targets.get(part.name) ?? NO_ACCESS) as TargetAccess<G>,
  };
}
