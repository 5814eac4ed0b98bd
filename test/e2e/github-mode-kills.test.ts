/**
 * Issue 12's crashes at the process level: `scim-gitops serve` in GitHub mode (the built CLI, a child
 * process) killed with SIGKILL mid-flush and at each step of an emergency, then started again on the same
 * data directory. Whatever the moment, every change serve acknowledged reaches the sync branch (or main),
 * there is one sync PR, and no leaver gets two emergency PRs.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { FakeGitHub } from "../fakes/github/fake-github.js";
import type { FakePull } from "../fakes/github/fake-github-state.js";
import { oktaUser } from "../scim/support/scim-server.js";
import type { ServeProcess } from "../server/serve-process.js";
import { EMERGENCY_LABEL, emergencyPullsOf, scimRequest, syncPulls, yamlAt } from "./support/github-mode.js";
import {
  ALICE_FILE,
  closeFaultsWorld,
  deactivate,
  expectOnSyncBranch,
  openServing,
  restartServe,
  settled,
  stopAndExpectConsistent,
} from "./support/github-mode-faults.js";

afterEach(closeFaultsWorld);

/**
 * Kills serve with SIGKILL the first time a request matching `when` reaches the fake, before GitHub acts
 * on it; resolves once GitHub has acted on it anyway (as it does for a client that died waiting), so a
 * restart does not race the fake finishing that request.
 */
function killServeOn(
  fake: FakeGitHub,
  serve: ServeProcess,
  when: (method: string, path: string) => boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    fake.faults.beforeRequest = async (method, path) => {
      if (!when(method, path)) return;
      fake.faults.beforeRequest = undefined;
      await serve.stop("SIGKILL");
      const from = fake.log.length;
      expect
        .poll(() => fake.log.slice(from).some((entry) => entry.method === method && entry.path === path), {
          timeout: 30_000,
        })
        .toBe(true)
        .then(() => resolve(), reject);
    };
  });
}

/**
 * A leaver deactivated through serve, serve killed with SIGKILL at the first request matching `when`, and
 * serve started again on the same data directory until it has nothing left to do.
 */
async function leaverKilledOn(
  prefix: string,
  when: (fake: FakeGitHub, method: string, path: string) => boolean,
): Promise<{ fake: FakeGitHub; again: ServeProcess; beforeRestart: FakePull[] }> {
  const { fake, serve: first } = await openServing(prefix);
  const dead = killServeOn(fake, first, (method, path) => when(fake, method, path));
  await deactivate(first, "alice@example.com");
  await dead;
  const beforeRestart = emergencyPullsOf(fake).map((pull) => ({ ...pull }));
  const restartedAt = Date.now();
  const again = await restartServe();
  await settled(again, restartedAt, 60_000);
  return { fake, again, beforeRestart };
}

/** Alice revoked on main; serve stops cleanly and the end state is consistent. */
async function expectRevokedAndConsistent(fake: FakeGitHub, serve: ServeProcess): Promise<void> {
  expect(yamlAt(fake, "main", ALICE_FILE)).toMatchObject({ active: false });
  await stopAndExpectConsistent(fake, serve);
}

describe("serve killed with SIGKILL and started again on the same data directory", () => {
  it(
    "mid-flush during an import of 300 users: every acknowledged user on the sync branch, one sync PR, one emergency",
    { timeout: 150_000 },
    async () => {
      const { fake, serve: first } = await openServing("e2e-github-faults-kill-flush-");
      const acknowledged = new Map<string, Record<string, unknown>>();
      // The first sync commit once the import is well under way: a flush is writing when serve dies.
      const dead = killServeOn(
        fake,
        first,
        (method, path) => method === "POST" && path.endsWith("/git/commits") && acknowledged.size >= 100,
      );
      let aliceAcknowledged = false;
      for (let n = 0; n < 300; n++) {
        const userName = `import-${n}@example.com`;
        const answer = await scimRequest(first, "POST", "/Users", oktaUser(userName)).catch(() => undefined);
        if (answer === undefined) break;
        expect(answer.status).toBe(201);
        acknowledged.set(userName, { id: answer.body.id, userName, active: true });
        if (n === 20) {
          await deactivate(first, "alice@example.com");
          aliceAcknowledged = true;
        }
      }
      await dead;
      expect(first.child.signalCode).toBe("SIGKILL");
      expect(aliceAcknowledged).toBe(true);
      expect(acknowledged.size).toBeGreaterThanOrEqual(100);

      const restartedAt = Date.now();
      const again = await restartServe();
      await settled(again, restartedAt, 60_000);
      expect(syncPulls(fake)).toHaveLength(1);
      expect(syncPulls(fake)[0]?.state).toBe("open");
      expectOnSyncBranch(fake, acknowledged);
      const emergencies = emergencyPullsOf(fake);
      expect(emergencies.filter((pull) => pull.state === "open")).toEqual([]);
      expect(emergencies.filter((pull) => pull.mergeCommit !== undefined)).toHaveLength(1);
      await expectRevokedAndConsistent(fake, again);
    },
  );

  it(
    "after the merge was asked for, before its answer: the restart finds it merged, one emergency PR",
    { timeout: 90_000 },
    async () => {
      const { fake, again } = await leaverKilledOn(
        "e2e-github-faults-kill-merge-",
        (_fake, method, path) => method === "PUT" && path.endsWith("/merge"),
      );
      const emergencies = emergencyPullsOf(fake);
      expect(emergencies).toHaveLength(1);
      expect(emergencies[0]).toMatchObject({ state: "closed", labels: [EMERGENCY_LABEL] });
      expect(emergencies[0]?.mergeCommit).toBeDefined();
      const merges = fake.log.filter((entry) => entry.method === "PUT" && entry.path.endsWith("/merge"));
      expect(merges).toHaveLength(1);
      await expectRevokedAndConsistent(fake, again);
    },
  );

  it(
    "between the emergency PR's opening (labelled, checked) and its merge: the restart finishes that PR, one emergency PR",
    { timeout: 90_000 },
    async () => {
      // The App posts its checks on the PR once it is open and labelled, then merges.
      const { fake, again, beforeRestart } = await leaverKilledOn(
        "e2e-github-faults-kill-open-",
        (fake, method, path) =>
          method === "POST" && path.endsWith("/check-runs") && emergencyPullsOf(fake).length > 0,
      );
      const [interrupted] = beforeRestart;
      expect(beforeRestart).toHaveLength(1);
      expect(interrupted).toMatchObject({ state: "open", labels: [EMERGENCY_LABEL] });
      expect(again.stdout() + again.stderr()).toContain(
        "emergency proposals open from before the start: 0 kept (auto-merge or a review finishes them), " +
          "1 interrupted (finished unless main moved), 0 half-made closed and proposed afresh",
      );
      // The restart would have opened exactly that PR again, so it merges that one: one PR, one merge.
      const emergencies = emergencyPullsOf(fake);
      expect(emergencies.map((pull) => [pull.number, pull.state, pull.mergeCommit !== undefined])).toEqual([
        [interrupted?.number, "closed", true],
      ]);
      const merges = fake.log.filter((entry) => entry.method === "PUT" && entry.path.endsWith("/merge"));
      expect(merges).toHaveLength(1);
      await expectRevokedAndConsistent(fake, again);
    },
  );
});
