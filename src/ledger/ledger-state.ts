/**
 * The ledger in memory: resources by id in creation order, and a lowercase name index that makes
 * userName/displayName uniqueness one synchronous check-and-set.
 */
import { UniquenessError } from "./errors.js";
import type { ResourceType, ScimResource } from "./ledger.js";

const NAME_ATTRIBUTE: Record<ResourceType, string> = { User: "userName", Group: "displayName" };

function nameOf(type: ResourceType, resource: ScimResource | undefined): string | undefined {
  const name = resource?.[NAME_ATTRIBUTE[type]];
  return typeof name === "string" ? name.toLowerCase() : undefined;
}

class TypeState {
  readonly byId = new Map<string, ScimResource>();
  readonly idByName = new Map<string, string>();
  listed: readonly ScimResource[] | undefined;
}

export class LedgerState {
  readonly #types: Record<ResourceType, TypeState> = { User: new TypeState(), Group: new TypeState() };

  get(type: ResourceType, id: string): ScimResource | undefined {
    return this.#types[type].byId.get(id);
  }

  list(type: ResourceType): readonly ScimResource[] {
    const state = this.#types[type];
    state.listed ??= Object.freeze([...state.byId.values()]);
    return state.listed;
  }

  count(type: ResourceType): number {
    return this.#types[type].byId.size;
  }

  findByName(type: ResourceType, name: string): ScimResource | undefined {
    const state = this.#types[type];
    const id = state.idByName.get(name.toLowerCase());
    return id === undefined ? undefined : state.byId.get(id);
  }

  /** Sets `id` to `after` (undefined removes it), refusing a name another resource of the type holds. */
  apply(type: ResourceType, id: string, after: ScimResource | undefined): void {
    const state = this.#types[type];
    const name = nameOf(type, after);
    const holder = name === undefined ? undefined : state.idByName.get(name);
    if (holder !== undefined && holder !== id) throw new UniquenessError(type, holder);
    this.#set(state, type, id, after);
  }

  /**
   * Sets without the uniqueness check: replaying what was already accepted, or undoing writes newest first
   * (each undo restores a state that passed the check).
   */
  force(type: ResourceType, id: string, after: ScimResource | undefined): void {
    this.#set(this.#types[type], type, id, after);
  }

  #set(state: TypeState, type: ResourceType, id: string, after: ScimResource | undefined): void {
    const before = state.byId.get(id);
    const oldName = nameOf(type, before);
    if (oldName !== undefined && state.idByName.get(oldName) === id) state.idByName.delete(oldName);
    if (after === undefined) {
      state.byId.delete(id);
    } else {
      state.byId.set(id, deepFreeze(after));
      const name = nameOf(type, after);
      if (name !== undefined) state.idByName.set(name, id);
    }
    state.listed = undefined;
  }
}

/**
 * Stored resources are immutable: an edit that changed the current resource in place and returned it would
 * look unchanged, so nothing would reach the journal while memory moved on. Freezing makes that a TypeError.
 */
function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}
