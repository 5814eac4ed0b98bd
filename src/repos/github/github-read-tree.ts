import type { GitHubResponse } from "./github-request.js";
import { PolicyRepoError } from "../policy-repo.js";

type Send = (route: string, parameters: Record<string, unknown>) => Promise<GitHubResponse>;

export interface TreeFile {
  readonly path: string;
  readonly sha: string;
  /** `100644`, `100755`, `120000` (a symlink) for blobs; `160000` for a submodule's commit. */
  readonly mode: string;
  readonly type: "blob" | "commit";
}

interface TreeData {
  readonly truncated: boolean;
  readonly tree: readonly {
    readonly path: string;
    readonly mode: string;
    readonly type: string;
    readonly sha: string;
  }[];
}

/** Blob downloads in flight at once: ProbotOctokit allows 10 concurrent requests per installation. */
const BLOB_CONCURRENCY = 8;
/** Blobs are immutable, so their text is kept; past this many the cache starts over. */
const BLOB_CACHE_LIMIT = 50_000;

/** Every blob and submodule of a tree, recursively, in one request. */
export async function readTree(send: Send, tree: string): Promise<TreeFile[]> {
  const response = await send("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
    tree_sha: tree,
    recursive: "1",
  });
  const data = response.data as TreeData;
  if (data.truncated) {
    throw new PolicyRepoError(
      `the tree ${tree} has more entries than GitHub lists in one response (100,000 or 7 MB): ` +
        `keep the policy repository smaller or split it`,
    );
  }
  return data.tree.flatMap(({ path, mode, type, sha }) =>
    type === "blob" || type === "commit" ? [{ path, mode, type, sha }] : [],
  );
}

/**
 * The text of each blob, in order. A blob's id is its content's hash, so the cache is never stale and a
 * re-read after a small change downloads only the changed files.
 */
export async function readBlobs(
  send: Send,
  shas: readonly string[],
  cache: Map<string, string>,
): Promise<string[]> {
  const unknown = (list: readonly string[]) => [...new Set(list.filter((sha) => !cache.has(sha)))];
  if (cache.size + unknown(shas).length > BLOB_CACHE_LIMIT) cache.clear();
  const missing = unknown(shas);
  let next = 0;
  const worker = async () => {
    while (next < missing.length) {
      const sha = missing[next++] ?? "";
      const response = await send("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", { file_sha: sha });
      const data = response.data as { content?: unknown; encoding?: string };
      if (typeof data.content !== "string")
        throw new PolicyRepoError(`GitHub returned no content for blob ${sha}`);
      cache.set(
        sha,
        Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8").toString("utf8"),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(BLOB_CONCURRENCY, missing.length) }, worker));
  return shas.map((sha) => cache.get(sha) ?? "");
}

/** One file's text at `commit` through the contents API (a 404 must reach here as an answer, not thrown). */
export async function readContentFile(
  send: Send,
  commit: string,
  path: string,
  cache: Map<string, string>,
): Promise<string | undefined> {
  const response = await send("GET /repos/{owner}/{repo}/contents/{path}", { path, ref: commit });
  const data = response.data as { type?: string; sha?: string; encoding?: string; content?: string };
  if (response.status === 404 || data.type !== "file" || data.sha === undefined) return undefined;
  // Files over 1 MB come back without content; their blob still has it.
  if (data.encoding === "base64" && data.content !== undefined) {
    return Buffer.from(data.content, "base64").toString("utf8");
  }
  return (await readBlobs(send, [data.sha], cache))[0];
}
