import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FileChange } from "../policy-repo.js";
import { git, GitError, gitText } from "./git.js";

/**
 * Writes every blob in one `git fast-import` process (a pack for big batches, loose objects for small ones)
 * and returns their ids in order. `get-mark` echoes each id on stdout, so no marks file is needed.
 */
export async function writeBlobs(repo: string, contents: readonly string[]): Promise<string[]> {
  if (contents.length === 0) return [];
  const parts: Buffer[] = [];
  contents.forEach((content, index) => {
    const bytes = Buffer.from(content, "utf8");
    parts.push(Buffer.from(`blob\nmark :${index + 1}\ndata ${bytes.length}\n`, "utf8"), bytes);
    parts.push(Buffer.from(`\nget-mark :${index + 1}\n`, "utf8"));
  });
  parts.push(Buffer.from("done\n", "utf8"));
  const output = await gitText(["fast-import", "--quiet", "--done"], {
    cwd: repo,
    input: Buffer.concat(parts),
  });
  const ids = output.split("\n").filter((line) => line !== "");
  if (ids.length !== contents.length) {
    throw new GitError(`git fast-import returned ${ids.length} blob ids for ${contents.length} files`);
  }
  return ids;
}

/**
 * The tree of `parent` (or an empty tree) with `changes` applied, built in a temporary index so neither the
 * work tree nor the repository's own index is touched: read-tree, one update-index, write-tree.
 */
export async function writeTree(
  repo: string,
  parent: string | undefined,
  changes: readonly FileChange[],
): Promise<string> {
  const written = changes.filter((change) => change.content !== null);
  const blobs = await writeBlobs(
    repo,
    written.map((change) => change.content ?? ""),
  );
  const blobByPath = new Map(written.map((change, index) => [change.path, blobs[index]]));
  const scratch = await mkdtemp(join(tmpdir(), "scim-gitops-index-"));
  const env = { GIT_INDEX_FILE: join(scratch, "index") };
  try {
    if (parent !== undefined) await git(["read-tree", parent], { cwd: repo, env });
    const zero = blobs[0]?.replace(/./g, "0") ?? "0".repeat(40);
    const records = changes.map((change) => {
      const blob = blobByPath.get(change.path);
      return change.content === null || blob === undefined
        ? `0 ${zero}\t${change.path}\0`
        : `100644 ${blob}\t${change.path}\0`;
    });
    if (records.length > 0) {
      await git(["update-index", "-z", "--index-info"], { cwd: repo, env, input: records.join("") });
    }
    return await gitText(["write-tree"], { cwd: repo, env });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
