import type { ScimResource } from "../ledger/ledger.js";
import { renderGroupFile, renderUserFile } from "../policy/identities/identity-file.js";
import { slugFor } from "../policy/identities/slug.js";
import { parseYaml } from "../policy/yaml/load-yaml.js";
import { groupFieldsFrom, userFieldsFrom, userFieldsFromFile } from "./identity-fields.js";

/** The identity files of a revision, keyed by path under `identities/` (`users/alice.yaml`). */
export type IdentityFiles = ReadonlyMap<string, string>;

export interface LedgerView {
  readonly users: readonly ScimResource[];
  readonly groups: readonly ScimResource[];
}

export interface RenderOptions {
  /** The tombstone time of a user that is in `base` but no longer in the ledger. */
  readonly deletedAt: (id: string) => string;
}

/**
 * Renders the ledger onto a base revision's identity files, statelessly: the same ledger and base always
 * give the same files, so a restart re-renders correctly. Returns only the files that differ from the base
 * (`null` = remove). Memoised per file on (base text, SCIM fields), so a flush during a 10k-user import
 * re-renders only what changed since the previous flush.
 */
export class IdentityRenderer {
  readonly #ids = new Map<string, string | undefined>();
  readonly #memo = new Map<string, { key: string; text: string }>();

  render(base: IdentityFiles, ledger: LedgerView, options: RenderOptions): Map<string, string | null> {
    const index = this.indexById(base);
    const out = new Map<string, string | null>();
    const emit = (path: string, text: string | null) => {
      if ((base.get(path) ?? null) !== text) out.set(path, text);
    };

    const userSlugs = slugsUnder(base, "users/");
    const userNames = new Map<string, string>();
    const seenUsers = new Set<string>();
    for (const user of ledger.users) {
      const fields = userFieldsFrom(user);
      userNames.set(user.id, fields.userName);
      seenUsers.add(user.id);
      const path = index.users.get(user.id) ?? newPath("users", fields.userName, user.id, userSlugs);
      const previous = base.get(path);
      const deleted =
        fields.active || previous === undefined ? undefined : userFieldsFromFile(previous)?.deleted;
      const kept = deleted === undefined ? fields : { ...fields, deleted };
      emit(path, this.memoised(path, previous, kept, renderUserFile));
    }
    for (const [id, path] of index.users) {
      if (seenUsers.has(id)) continue;
      const previous = base.get(path) ?? "";
      const fields = userFieldsFromFile(previous);
      if (fields === undefined || fields.deleted !== undefined) continue;
      emit(path, renderUserFile(previous, { ...fields, active: false, deleted: options.deletedAt(id) }));
    }

    const groupSlugs = slugsUnder(base, "groups/");
    const seenGroups = new Set<string>();
    for (const group of ledger.groups) {
      const fields = groupFieldsFrom(group, (id) => userNames.get(id));
      seenGroups.add(group.id);
      const path = index.groups.get(group.id) ?? newPath("groups", fields.displayName, group.id, groupSlugs);
      emit(path, this.memoised(path, base.get(path), fields, renderGroupFile));
    }
    for (const [id, path] of index.groups) if (!seenGroups.has(id)) emit(path, null);
    return out;
  }

  /** SCIM id → file path of every identity file in `base` (parsed once per distinct content). */
  indexById(base: IdentityFiles): { users: Map<string, string>; groups: Map<string, string> } {
    const users = new Map<string, string>();
    const groups = new Map<string, string>();
    for (const [path, text] of base) {
      const kind = path.startsWith("users/") ? users : path.startsWith("groups/") ? groups : undefined;
      if (kind === undefined || !/\.ya?ml$/.test(path)) continue;
      const id = this.idOf(text);
      if (id !== undefined && !kind.has(id)) kind.set(id, path);
    }
    return { users, groups };
  }

  /**
   * The top-level `id` as `yaml.parse` reads it (a string, or a number as text), or undefined for a file
   * with errors or without one. Through the policy loader's parser, whose fast path takes the bot's own
   * files without building a YAML document: 10k of them are indexed at every start and new texts at
   * every flush.
   */
  private idOf(text: string): string | undefined {
    if (this.#ids.has(text)) return this.#ids.get(text);
    const parsed = parseYaml(text);
    let id: string | undefined;
    if (parsed.root?.kind === "map" && !parsed.problems.some((problem) => problem.severity === "error")) {
      const value = parsed.root.entries.find((entry) => entry.key === "id")?.value;
      const scalar = value?.kind === "scalar" ? value.value : undefined;
      id = typeof scalar === "string" || typeof scalar === "number" ? String(scalar) : undefined;
    }
    this.#ids.set(text, id);
    return id;
  }

  private memoised<F>(
    path: string,
    previous: string | undefined,
    fields: F,
    render: (previous: string | undefined, fields: F) => string,
  ): string {
    const key = `${previous ?? ""}\0${JSON.stringify(fields)}`;
    const hit = this.#memo.get(path);
    if (hit?.key === key) return hit.text;
    const text = render(previous, fields);
    this.#memo.set(path, { key, text });
    return text;
  }
}

function slugsUnder(base: IdentityFiles, prefix: string): Set<string> {
  const taken = new Set<string>();
  for (const path of base.keys()) {
    if (path.startsWith(prefix)) taken.add(path.slice(prefix.length).replace(/\.ya?ml$/, ""));
  }
  return taken;
}

/** A new identity's file: its slug is taken from then on, so later identities never collide with it. */
function newPath(kind: "users" | "groups", name: string, id: string, taken: Set<string>): string {
  const slug = slugFor(name, id, (candidate) => taken.has(candidate));
  taken.add(slug);
  return `${kind}/${slug}.yaml`;
}
