/**
 * The App's proposals side for fault tests: the real journal ledger, startProposer, gitHubProposals and
 * pacedClient, against the stateful GitHub fake over real HTTP, and the end-state checks every fault test
 * makes (issue 12): one open sync PR, every acknowledged change on the sync branch or main, no emergency
 * case held by two open PRs.
 */
import { expect } from "vitest";
import type { IdentityLedger } from "../../../../src/ledger/ledger.js";
import type { GitHubProposals } from "../../../../src/proposals/github/github-proposals.js";
import { EMERGENCY_LABEL } from "../../../../src/proposals/github/github-emergency-host.js";
import { identitiesNamed } from "../../../../src/proposals/commit-message.js";
import type { Proposer, ProposerOptions } from "../../../../src/proposals/proposer.js";
import { startProposer } from "../../../../src/proposals/proposer.js";
import { IdentityRenderer } from "../../../../src/proposals/render-identities.js";
import { identitiesDir, SYNC_BRANCH } from "../../../../src/proposals/sync-branch.js";
import type { FakeGitHub } from "../../../fakes/github/fake-github.js";
import type { FixtureOptions } from "../../policy-fixture.js";
import type { GitHubProposals as World } from "../github-proposals-fixture.js";
import { composeOnFake, openGitHubProposals } from "../github-proposals-fixture.js";

export const NOW = new Date("2026-11-29T02:15:00.000Z");

export interface FaultWorld extends World {
  readonly github: GitHubProposals;
  readonly proposer: Proposer;
  readonly lines: string[];
}

/**
 * The proposer as the App runs it on the fake. `retry` is Probot's plugin-retry (on in the App); off, the
 * proposer's own backoff is what rides out a fault. Backoffs are short so a test waits seconds, not minutes.
 */
export async function openFaultWorld(
  options: FixtureOptions & {
    readonly retry?: boolean;
    readonly proposer?: Partial<ProposerOptions>;
    readonly rules?: (fake: FakeGitHub) => void;
  } = {},
): Promise<FaultWorld> {
  const world = await openGitHubProposals(options);
  options.rules?.(world.fake);
  const github = composeOnFake(world, { now: NOW, retry: options.retry ?? false });
  const lines: string[] = [];
  const proposer = startProposer({
    ledger: world.ledger,
    ...github.proposer,
    debounceMs: 20,
    maxWaitMs: 200,
    watchMainMs: 0,
    retryDelaysMs: [200, 500, 1_000],
    now: () => NOW,
    log: {
      info: (line) => lines.push(`info: ${line}`),
      warn: (line) => lines.push(`warn: ${line}`),
      error: (line) => lines.push(`error: ${line}`),
    },
    ...options.proposer,
  });
  await proposer.flush().catch(() => undefined);
  world.fake.log.length = 0;
  return { ...world, github, proposer, lines };
}

/** Resolves once the proposer has nothing left to do and its last flush succeeded. */
export async function settle(proposer: Proposer, timeout = 30_000): Promise<void> {
  await expect
    .poll(
      async () => {
        try {
          await proposer.flush();
          const state = proposer.state();
          return state.pendingChanges === 0 && state.emergencies.queued === 0;
        } catch {
          return false;
        }
      },
      { timeout, interval: 200 },
    )
    .toBe(true);
}

/**
 * The end state a fault must leave: exactly one open sync PR (none when main holds everything) whose head
 * is the sync branch, every change the ledger acknowledged on the sync branch (or on main), no open
 * emergency PR without its label, no case in two open emergency PRs, and no answer outside GitHub's schema.
 */
export async function expectConsistent(
  world: Pick<World, "fake" | "repo" | "ledger">,
  ledger: IdentityLedger = world.ledger,
): Promise<void> {
  const { fake, repo } = world;
  const sync = await repo.head(SYNC_BRANCH);
  const openSync = [...fake.pulls.values()].filter(
    (pull) => pull.head === SYNC_BRANCH && pull.state === "open",
  );
  expect(openSync).toHaveLength(sync === undefined ? 0 : 1);

  const files = await repo.readFiles(sync ?? "main", identitiesDir("policies"));
  const missing = new IdentityRenderer().render(
    files,
    { users: ledger.list("User"), groups: ledger.list("Group") },
    { deletedAt: () => "(a deletion the proposer never saw)" },
  );
  expect([...missing.keys()]).toEqual([]);

  const openEmergencies = [...fake.pulls.values()].filter(
    (pull) => pull.head.startsWith("scim-gitops/emergency/") && pull.state === "open",
  );
  const held = new Map<string, number>();
  for (const pull of openEmergencies) {
    expect(pull.labels).toContain(EMERGENCY_LABEL);
    const head = await fake.state.headSha(pull);
    for (const identity of identitiesNamed((await repo.readCommit(head)).message)) {
      const key = `${identity.type} ${identity.id}`;
      held.set(key, (held.get(key) ?? 0) + 1);
    }
  }
  expect([...held].filter(([, count]) => count > 1)).toEqual([]);
  expect(fake.mismatches).toEqual([]);
}

/** Emergency PRs, and the merged and open ones among them, as a person would count them on GitHub. */
export function emergencyPulls(fake: FakeGitHub) {
  const all = [...fake.pulls.values()].filter((pull) => pull.head.startsWith("scim-gitops/emergency/"));
  return {
    all,
    merged: all.filter((pull) => pull.mergeCommit !== undefined),
    open: all.filter((pull) => pull.state === "open"),
  };
}
