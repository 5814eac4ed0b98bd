import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git, gitResult, gitText } from "../../../src/repos/git/git.js";
import { writeBlobs } from "../../../src/repos/git/write-tree.js";

const IDENTITY = {
  GIT_AUTHOR_NAME: "scim-gitops[bot]",
  GIT_AUTHOR_EMAIL: "bot@users.noreply.github.com",
  GIT_COMMITTER_NAME: "GitHub",
  GIT_COMMITTER_EMAIL: "noreply@github.com",
};
export const ZERO = "0".repeat(40);

export interface StoredCommit {
  readonly sha: string;
  readonly tree: string;
  readonly parents: string[];
  readonly message: string;
}

export interface StoredTreeEntry {
  readonly path: string;
  readonly mode: string;
  readonly type: "blob" | "tree";
  readonly sha: string;
  readonly size?: number;
}

/** A tree entry of POST git/trees: `sha: null` deletes, `content` writes a new blob. */
export interface TreeWrite {
  readonly path: string;
  readonly mode: string;
  readonly sha?: string | null;
  readonly content?: string;
}

/** The fake's storage: a real bare repository, so ids, fast-forward checks and merges are git's own. */
export class FakeGitStore {
  /** Objects never change, so their types are remembered (fewer git processes under ten racing writers). */
  private readonly types = new Map<string, string>();
  /** Told of every ref that moved (`before`/`after` are "" for none), so the fake can send webhooks. */
  onRefUpdate: ((ref: string, before: string, after: string) => void) | undefined;

  private constructor(readonly dir: string) {}

  static async create(dir: string): Promise<FakeGitStore> {
    await git(["init", "--quiet", "--bare", "--initial-branch=main", dir], { cwd: tmpdir() });
    return new FakeGitStore(dir);
  }

  async objectType(sha: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
    const known = this.types.get(sha);
    if (known !== undefined) return known;
    const result = await gitResult(["cat-file", "-t", sha], { cwd: this.dir });
    if (result.code !== 0) return undefined;
    const type = result.stdout.toString("utf8").trim();
    this.types.set(sha, type);
    return type;
  }

  async ref(ref: string): Promise<string | undefined> {
    const result = await gitResult(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], {
      cwd: this.dir,
    });
    return result.code === 0 ? result.stdout.toString("utf8").trim() : undefined;
  }

  async refs(prefix: string): Promise<{ ref: string; sha: string }[]> {
    const out = await gitText(["for-each-ref", "--format=%(objectname) %(refname)", "refs/"], {
      cwd: this.dir,
    });
    return out
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => ({ sha: line.slice(0, 40), ref: line.slice(41) }))
      .filter((entry) => entry.ref.startsWith(prefix));
  }

  async commit(sha: string): Promise<StoredCommit | undefined> {
    if ((await this.objectType(sha)) !== "commit") return undefined;
    const text = await git(["cat-file", "commit", sha], { cwd: this.dir }).then((b) => b.toString("utf8"));
    const split = text.indexOf("\n\n");
    const headers = text.slice(0, split).split("\n");
    return {
      sha,
      tree: headers.find((line) => line.startsWith("tree "))?.slice(5) ?? "",
      parents: headers.filter((line) => line.startsWith("parent ")).map((line) => line.slice(7)),
      message: text.slice(split + 2),
    };
  }

  async tree(sha: string, recursive: boolean): Promise<StoredTreeEntry[]> {
    const args = ["ls-tree", "-l", "-z", ...(recursive ? ["-r", "-t"] : []), sha];
    const out = (await git(args, { cwd: this.dir })).toString("utf8");
    return out
      .split("\0")
      .filter((record) => record !== "")
      .map((record) => {
        const tab = record.indexOf("\t");
        const [mode = "", type = "", object = "", size = "-"] = record.slice(0, tab).split(/\s+/);
        const entry = { path: record.slice(tab + 1), mode, type: type as "blob" | "tree", sha: object };
        return size === "-" ? entry : { ...entry, size: Number(size) };
      });
  }

  async blob(sha: string): Promise<Buffer | undefined> {
    if ((await this.objectType(sha)) !== "blob") return undefined;
    return git(["cat-file", "blob", sha], { cwd: this.dir });
  }

  /** `base` plus `writes` in a temporary index; a deletion of a path the base lacks is refused, as GitHub does. */
  async writeTree(
    base: string | undefined,
    writes: readonly TreeWrite[],
  ): Promise<string | { missing: string }> {
    const scratch = await mkdtemp(join(tmpdir(), "fake-github-index-"));
    const env = { GIT_INDEX_FILE: join(scratch, "index") };
    try {
      if (base !== undefined) await git(["read-tree", base], { cwd: this.dir, env });
      const present = new Set((await gitText(["ls-files"], { cwd: this.dir, env })).split("\n"));
      const missing = writes.find((write) => write.sha === null && !present.has(write.path));
      if (missing !== undefined) return { missing: missing.path };
      const inline = writes.filter((write) => write.content !== undefined);
      const blobs = await writeBlobs(
        this.dir,
        inline.map((write) => write.content ?? ""),
      );
      const blobOf = new Map(inline.map((write, index) => [write, blobs[index]]));
      const records = writes.map((write) =>
        write.sha === null
          ? `0 ${ZERO}\t${write.path}\0`
          : `${write.mode} ${blobOf.get(write) ?? write.sha ?? ZERO}\t${write.path}\0`,
      );
      if (records.length > 0) {
        await git(["update-index", "-z", "--index-info"], { cwd: this.dir, env, input: records.join("") });
      }
      return await gitText(["write-tree"], { cwd: this.dir, env });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /** `git archive` of a commit as GitHub's codeload serves it: gzip, under `<name>-<short sha>/`. */
  async archive(sha: string, name: string): Promise<Buffer> {
    return git(["archive", "--format=tar.gz", `--prefix=${name}-${sha.slice(0, 7)}/`, sha], {
      cwd: this.dir,
    });
  }

  async writeCommit(tree: string, parents: readonly string[], message: string): Promise<string> {
    const args = ["commit-tree", tree, ...parents.flatMap((parent) => ["-p", parent]), "-F", "-"];
    return gitText(args, { cwd: this.dir, input: message, env: IDENTITY });
  }

  /** Compare-and-swap: `old` is the value the caller read (ZERO: must not exist). */
  async updateRef(ref: string, sha: string, old: string): Promise<boolean> {
    const moved = (await gitResult(["update-ref", ref, sha, old], { cwd: this.dir })).code === 0;
    if (moved) this.onRefUpdate?.(ref, old === ZERO ? "" : old, sha);
    return moved;
  }

  async deleteRef(ref: string, old: string): Promise<boolean> {
    const deleted = (await gitResult(["update-ref", "-d", ref, old], { cwd: this.dir })).code === 0;
    if (deleted) this.onRefUpdate?.(ref, old, "");
    return deleted;
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    return (
      (await gitResult(["merge-base", "--is-ancestor", ancestor, descendant], { cwd: this.dir })).code === 0
    );
  }

  async related(a: string, b: string): Promise<boolean> {
    return (await gitResult(["merge-base", a, b], { cwd: this.dir })).code === 0;
  }

  async aheadBehind(base: string, head: string): Promise<{ behind: number; ahead: number }> {
    const out = await gitText(["rev-list", "--left-right", "--count", `${base}...${head}`], {
      cwd: this.dir,
    });
    const [behind = 0, ahead = 0] = out.split(/\s+/).map(Number);
    return { behind, ahead };
  }

  /** The merged tree, or the conflicting paths. */
  async mergeTree(base: string, head: string): Promise<{ tree: string } | { conflicts: string[] }> {
    const result = await gitResult(
      ["merge-tree", "--write-tree", "--name-only", "--no-messages", base, head],
      {
        cwd: this.dir,
      },
    );
    const lines = result.stdout.toString("utf8").split("\n");
    if (result.code === 1) return { conflicts: lines.slice(1).filter((line) => line !== "") };
    if (result.code !== 0) throw new Error(`git merge-tree failed: ${result.stderr}`);
    return { tree: lines[0] ?? "" };
  }
}
