import { join } from "node:path";
import { GitPolicyRepo } from "../../../src/repos/git/git-policy-repo.js";
import { startServeProcess } from "../../server/serve-process.js";

export const TOKEN = "e2e-token-6f0c1d2e3a4b5c6d7e8f";

export interface Embedded {
  /** SCIM base URL, `http://127.0.0.1:PORT/scim/v2`. */
  readonly root: string;
  readonly repoPath: string;
  /** What a reviewer merging the sync pull request does: a merge commit of `head` into main. */
  merge(head: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `scim-gitops serve` as an operator starts it (a child process, temporary --repo and --data, SCIM_TOKEN),
 * so the test crosses every real boundary: HTTP, the journal on disk, git.
 */
export async function startEmbedded(scratch: string): Promise<Embedded> {
  const repoPath = join(scratch, "policy-repo");
  const serve = await startServeProcess({
    dataDir: join(scratch, "data"),
    repoPath,
    env: { SCIM_TOKEN: TOKEN },
  });
  return {
    root: serve.scimUrl,
    repoPath,
    async merge(head) {
      await new GitPolicyRepo(repoPath).merge({
        branch: "scim-gitops/sync",
        head,
        into: "main",
        message: "Merge pull request: scim-gitops/sync\n",
      });
    },
    async stop() {
      const code = await serve.stop();
      if (code !== 0) throw new Error(`serve exited with ${code}:\n${serve.stderr()}`);
    },
  };
}
