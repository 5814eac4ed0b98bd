/**
 * What the GitHub mode fault tests share (github-mode-faults, github-mode-kills): serve in GitHub mode on a
 * fresh fake whose main requires the App's guard, restarts on the same data directory, and the end-state
 * checks. One world at a time; each test file closes it after every test (`closeFaultsWorld`).
 */
import { expect } from "vitest";
import type { JournalLedger } from "../../../src/ledger/journal-ledger-contract.js";
import { openLedger } from "../../../src/ledger/journal-ledger.js";
import { GitHubPolicyRepo } from "../../../src/repos/github/github-policy-repo.js";
import type { FakeGitHub } from "../../fakes/github/fake-github.js";
import { expectConsistent } from "../../proposals/github/faults/faults-fixture.js";
import { fakeClient } from "../../repos/github/github-fixture.js";
import { patchOf } from "../../scim/support/scim-server.js";
import type { ServeProcess } from "../../server/serve-process.js";
import type { GitHubModeWorld } from "./github-mode.js";
import {
  healthOf,
  INSTALLATION,
  openGitHubMode,
  scimIdOf,
  scimRequest,
  SYNC,
  yamlAt,
} from "./github-mode.js";

export const ALICE_FILE = "policies/identities/users/alice-example-com.yaml";

let world: GitHubModeWorld | undefined;
let ledger: JournalLedger | undefined;

/** After each test: the reopened ledger and the world (fake and every serve) closed. */
export async function closeFaultsWorld(): Promise<void> {
  await ledger?.close();
  ledger = undefined;
  await world?.close();
  world = undefined;
}

export const fileOf = (userName: string) =>
  `policies/identities/users/${userName.replace(/[@.]/g, "-")}.yaml`;

/**
 * Serve has nothing left to do: healthy, a flush finished after `since` (a restarted serve flushes once at
 * start, after its recovery), and nothing pending in the ledger, the proposer or the emergency queue.
 */
export async function settled(serve: ServeProcess, since: number, timeout: number): Promise<void> {
  await expect
    .poll(
      async () => {
        const { status, body } = await healthOf(serve);
        return (
          status === 200 &&
          Date.parse(body.flush.lastFlushAt ?? "") >= since &&
          body.ledger.pendingWrites === 0 &&
          body.flush.pendingChanges === 0 &&
          body.flush.emergencies.queued === 0
        );
      },
      { timeout, interval: 250 },
    )
    .toBe(true);
}

/**
 * Once serve is stopped: its ledger reopened, and the fixture's end-state check over it (one open sync PR,
 * everything the ledger holds on the sync branch or main, no case in two open emergency PRs, no answer
 * outside GitHub's schema). The test reads GitHub as the App's installation.
 */
export async function expectConsistentAfter(fake: FakeGitHub, dataDir: string): Promise<void> {
  ledger = await openLedger({ dir: dataDir });
  const minted = fake.app?.mint(INSTALLATION).body as { token: string };
  const repo = new GitHubPolicyRepo({
    client: fakeClient(fake, { auth: { token: minted.token } }),
    owner: fake.owner,
    repo: fake.repo,
  });
  await expectConsistent({ fake, repo, ledger });
}

/** Each acknowledged user's file on the sync branch says what the IdP was told it holds. */
export function expectOnSyncBranch(fake: FakeGitHub, expected: ReadonlyMap<string, Record<string, unknown>>) {
  const wrong = [...expected].filter(
    ([userName, fields]) =>
      !Object.entries(fields).every(([key, value]) => yamlAt(fake, SYNC, fileOf(userName))?.[key] === value),
  );
  expect(wrong.map(([userName]) => userName)).toEqual([]);
}

/** A fresh fake whose main requires the App's guard, and serve in GitHub mode on it. */
export async function openServing(prefix: string): Promise<{ fake: FakeGitHub; serve: ServeProcess }> {
  world = await openGitHubMode(prefix);
  world.fake.state.rules.set("main", { requiredChecks: ["revocation-guard"] });
  return { fake: world.fake, serve: await world.startServe() };
}

/** Serve started again on the same data directory (the killed one's ledger). */
export function restartServe(): Promise<ServeProcess> {
  if (world === undefined) throw new Error("no serve to restart");
  return world.startServe();
}

/** The IdP deactivates `userName`: serve must acknowledge it. */
export async function deactivate(serve: ServeProcess, userName: string): Promise<void> {
  const id = await scimIdOf(serve, "Users", "userName", userName);
  const answer = await scimRequest(
    serve,
    "PATCH",
    `/Users/${id}`,
    patchOf({ op: "replace", path: "active", value: false }),
  );
  expect(answer.status).toBe(200);
}

/** Serve stops cleanly (nothing owed to GitHub is left behind) and the end state is consistent. */
export async function stopAndExpectConsistent(fake: FakeGitHub, serve: ServeProcess): Promise<void> {
  await fake.webhooks.idle();
  expect(await serve.stop("SIGTERM")).toBe(0);
  await expectConsistentAfter(fake, world?.dataDir ?? "");
}
