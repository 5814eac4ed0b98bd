import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { startProposer } from "../../../src/proposals/proposer.js";
import { GitPolicyRepo } from "../../../src/repos/git/git-policy-repo.js";
import { BUNDLED_POLICIES, openGitPolicyRepo } from "../../../src/repos/git/open-git-policy-repo.js";
import { createScimHandler } from "../../../src/scim/handler.js";
import { Secret } from "../../../src/secret.js";
import { MemoryLedger } from "../../proposals/memory-ledger.js";

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
 * The embedded mode wired in this process: SCIM handler → ledger → proposer → git repository created from
 * the bundled examples. Used until `serve` exists to be started as a child process instead.
 */
export async function startEmbedded(scratch: string): Promise<Embedded> {
  const repoPath = join(scratch, "policy-repo");
  const repo = await openGitPolicyRepo(repoPath, { createFrom: BUNDLED_POLICIES });
  const ledger = new MemoryLedger();
  const proposer = startProposer({ ledger, repo, debounceMs: 100, watchMainMs: 200 });
  const handler = createScimHandler({ ledger, tokens: () => [new Secret(TOKEN)] });
  const server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    root: `http://127.0.0.1:${port}/scim/v2`,
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
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await proposer.close();
      await ledger.close();
    },
  };
}
