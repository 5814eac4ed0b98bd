import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { JournalLedger } from "../../../src/ledger/journal-ledger-contract.js";
import type { GitHubProposals as Composed } from "../../../src/proposals/github/github-proposals.js";
import { gitHubProposals } from "../../../src/proposals/github/github-proposals.js";
import { pacedClient } from "../../../src/repos/github/paced-client.js";
import { GitHubPolicyRepo } from "../../../src/repos/github/github-policy-repo.js";
import { GitHubPullRequests } from "../../../src/repos/github/github-pull-requests.js";
import { ZERO } from "../../fakes/github/fake-git-store.js";
import type { FakeGitHub } from "../../fakes/github/fake-github.js";
import { startFakeGitHub } from "../../fakes/github/fake-github.js";
import { fakeClient } from "../../repos/github/github-fixture.js";
import type { FixtureOptions } from "../policy-fixture.js";
import { makeFixture } from "../policy-fixture.js";

export interface GitHubProposals {
  readonly fake: FakeGitHub;
  readonly repo: GitHubPolicyRepo;
  readonly pulls: GitHubPullRequests;
  /** The real journal ledger, seeded with what main's identities say. */
  readonly ledger: JournalLedger;
  /** The ledger's data directory, for a process that opens it after `ledger` is closed. */
  readonly dataDir: string;
  readonly main: string;
  close(): Promise<void>;
}

/**
 * The proposer tests' policy (Alice and Bob, two payments groups), pushed to the stateful GitHub fake's
 * main, with Probot's client (retry on, as the App runs it) behind both ports.
 */
export async function openGitHubProposals(options: FixtureOptions = {}): Promise<GitHubProposals> {
  const local = await makeFixture(options);
  const files = await local.repo.readFiles("main", "policies");
  const fake = await startFakeGitHub();
  const tree = await fake.store.writeTree(
    undefined,
    [...files].map(([path, content]) => ({ path: `policies/${path}`, mode: "100644", content })),
  );
  if (typeof tree !== "string") throw new Error("could not seed the fake");
  const main = await fake.store.writeCommit(tree, [], "Initial policies\n");
  await fake.store.updateRef("refs/heads/main", main, ZERO);
  const name = { owner: fake.owner, repo: fake.repo };
  const repo = new GitHubPolicyRepo({ client: fakeClient(fake, { retry: true }), ...name });
  const pulls = new GitHubPullRequests(fakeClient(fake, { retry: true }), name);
  fake.log.length = 0;
  return {
    fake,
    repo,
    pulls,
    ledger: local.ledger,
    dataDir: join(local.scratch, "data"),
    main,
    async close() {
      await local.ledger.close();
      await fake.close();
      await rm(local.scratch, { recursive: true, force: true });
    },
  };
}

/**
 * GitHub mode's proposals side as the App composes it, on this world's fake: Probot's client (plugin-retry
 * on unless `retry: false`) behind the App's pacing.
 */
export function composeOnFake(
  world: Pick<GitHubProposals, "fake">,
  options: { readonly now: Date; readonly retry?: boolean; readonly warn?: (line: string) => void },
): Composed {
  return gitHubProposals({
    client: pacedClient(fakeClient(world.fake, { retry: options.retry ?? true })),
    owner: world.fake.owner,
    repo: world.fake.repo,
    baseBranch: "main",
    policyDir: "policies",
    now: () => options.now,
    ...(options.warn === undefined ? {} : { warn: options.warn }),
  });
}
