import type { FileChange, PolicyRepo } from "../repos/policy-repo.js";
import { RefNotFoundError } from "../repos/policy-repo.js";
import type { OperationRef } from "./commit-message.js";
import { syncCommitMessage } from "./commit-message.js";
import type { IdentityFiles, IdentityRenderer, LedgerView } from "./render-identities.js";
import type { IdentityRef } from "./trace-operations.js";
import { traceOperations } from "./trace-operations.js";

export const SYNC_BRANCH = "scim-gitops/sync";

export interface SyncInput {
  readonly repo: PolicyRepo;
  readonly policyDir: string;
  readonly renderer: IdentityRenderer;
  readonly ledger: LedgerView;
  /** The operations this flush carries, named in the commit's trailers. */
  readonly operations: readonly OperationRef[];
  /** Operations earlier flushes committed that main does not hold yet: a rebuild names them again. */
  readonly carried?: readonly OperationRef[];
  /** `meta.lastModified` of an identity in the ledger, for changes no known operation explains. */
  readonly lastModifiedOf?: (identity: IdentityRef) => string | undefined;
  readonly deletedAt: (id: string) => string;
  /** The identity files of the last flush's head, so an unchanged sync branch is not read back from git. */
  readonly known?: KnownSync;
}

export interface KnownSync {
  readonly head: string;
  readonly files: ReadonlyMap<string, string>;
  /** The main head `head` was built on (it holds it), when known. */
  readonly base?: string;
}

export interface SyncResult {
  /** The sync branch head afterwards; undefined when main already holds everything. */
  readonly head: string | undefined;
  readonly base: string;
  /** Identity files that differ between main and the sync branch. */
  readonly pendingFiles: number;
  /** Whether this flush wrote a commit. */
  readonly committed: boolean;
  readonly known?: KnownSync;
  /** What the sync branch now carries beyond main, for the next flush's `carried`. */
  readonly carried: readonly OperationRef[];
}

export function identitiesDir(policyDir: string): string {
  return [policyDir.replace(/^\/+|\/+$/g, ""), "identities"].filter((part) => part !== "").join("/");
}

/**
 * Brings `scim-gitops/sync` to "main + rendered identities" (DESIGN §5). While the branch still sits on
 * main's head, each flush adds one commit holding only the files that changed since the last one, so the
 * proposal accumulates reviewable steps; once main has moved it is rebuilt as a single commit on main and
 * force-moved, which never conflicts. When nothing differs from main the branch is deleted: an empty
 * proposal is what a merged or closed pull request leaves behind.
 */
export async function flushSyncBranch(input: SyncInput): Promise<SyncResult> {
  const { repo } = input;
  const dir = identitiesDir(input.policyDir);
  const base = await repo.head(repo.baseBranch);
  if (base === undefined) throw new RefNotFoundError(repo.baseBranch);
  const mainFiles = await repo.readFiles(base, dir);
  const rendered = input.renderer.render(mainFiles, input.ledger, { deletedAt: input.deletedAt });
  const syncHead = await repo.head(SYNC_BRANCH);
  if (rendered.size === 0) {
    if (syncHead !== undefined) await repo.deleteBranch(SYNC_BRANCH);
    return { head: undefined, base, pendingFiles: 0, committed: false, carried: [] };
  }

  // A head this process built on this very main holds it; anything else (a restart, main moved) is asked.
  const builtHere = syncHead !== undefined && input.known?.head === syncHead && input.known.base === base;
  const appending = syncHead !== undefined && (builtHere || (await repo.isAncestor(base, syncHead)));
  const parent = appending && syncHead !== undefined ? syncHead : base;
  const parentFiles =
    parent === base
      ? mainFiles
      : input.known?.head === parent
        ? input.known.files
        : await repo.readFiles(parent, dir);
  const target = new Map(mainFiles);
  for (const [path, text] of rendered) {
    if (text === null) target.delete(path);
    else target.set(path, text);
  }
  const changes: FileChange[] = [];
  for (const [path, text] of target) {
    if (parentFiles.get(path) !== text) changes.push({ path: `${dir}/${path}`, content: text });
  }
  for (const path of parentFiles.keys()) {
    if (!target.has(path)) changes.push({ path: `${dir}/${path}`, content: null });
  }
  const owners = ownersOf(input.renderer, [target, mainFiles, parentFiles]);
  const differing = identitiesAt([...rendered.keys()], owners);
  const candidates = [...(input.carried ?? []), ...input.operations];
  const carried = traceOperations({
    changed: differing,
    operations: candidates,
    onlyChanged: true,
    lastModifiedOf: () => undefined,
  }).operations;
  if (changes.length === 0) {
    return {
      head: parent,
      base,
      pendingFiles: rendered.size,
      committed: false,
      known: { head: parent, files: target, base },
      carried,
    };
  }
  const trace = traceOperations({
    changed: appending ? identitiesAt(changedPaths(changes, dir), owners) : differing,
    operations: appending ? input.operations : candidates,
    onlyChanged: !appending,
    lastModifiedOf: input.lastModifiedOf ?? (() => undefined),
  });
  const head = await repo.commitFiles({
    branch: SYNC_BRANCH,
    parent,
    changes,
    message: syncCommitMessage({
      operations: trace.operations,
      recovered: trace.recovered,
      changedFiles: changes.length,
      base,
      rebuilt: !appending,
    }),
    // Force: the bot owns the branch and rebuilds it. A branch not there yet is created, which on GitHub
    // saves the PATCH that would be refused and the look that follows it.
    update: syncHead === undefined ? { kind: "create" } : { kind: "force" },
  });
  return {
    head,
    base,
    pendingFiles: rendered.size,
    committed: true,
    known: { head, files: target, base },
    carried,
  };
}

/** Path under `identities/` → the identity whose file it is, in any of the revisions involved. */
function ownersOf(renderer: IdentityRenderer, revisions: readonly IdentityFiles[]): Map<string, IdentityRef> {
  const owners = new Map<string, IdentityRef>();
  for (const files of revisions) {
    const index = renderer.indexById(files);
    for (const [id, path] of index.users) if (!owners.has(path)) owners.set(path, { type: "User", id });
    for (const [id, path] of index.groups) if (!owners.has(path)) owners.set(path, { type: "Group", id });
  }
  return owners;
}

function identitiesAt(paths: readonly string[], owners: ReadonlyMap<string, IdentityRef>): IdentityRef[] {
  return paths.flatMap((path) => {
    const owner = owners.get(path);
    return owner === undefined ? [] : [owner];
  });
}

function changedPaths(changes: readonly FileChange[], dir: string): string[] {
  return changes.map((change) => change.path.slice(dir.length + 1));
}
