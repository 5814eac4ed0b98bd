/**
 * Issue 12's faults at the process level: `scim-gitops serve` in GitHub mode (the built CLI, a child
 * process, the App's own retries and the proposer's default backoff, nothing shortened) against the
 * stateful GitHub fake, which lives in this process and so outlives a killed serve. GitHub down for a full
 * minute while the IdP writes, serve killed with SIGKILL mid-flush and mid-emergency, a secondary limit and
 * 5xx answers during a flush. Whatever happens, every change serve acknowledged reaches the sync branch (or
 * main), there is one sync PR, and no leaver is in two emergency PRs.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { JournalLedger } from "../../src/ledger/journal-ledger-contract.js";
import { openLedger } from "../../src/ledger/journal-ledger.js";
import { GitHubPolicyRepo } from "../../src/repos/github/github-policy-repo.js";
import type { FakeGitHub } from "../fakes/github/fake-github.js";
import type { FakePull } from "../fakes/github/fake-github-state.js";
import { expectConsistent } from "../proposals/github/faults/faults-fixture.js";
import { fakeClient } from "../repos/github/github-fixture.js";
import { oktaUser, patchOf } from "../scim/support/scim-server.js";
import type { ServeProcess } from "../server/serve-process.js";
import type { GitHubModeWorld, ScimAnswer } from "./support/github-mode.js";
import {
  EMERGENCY_LABEL,
  emergencyPullsOf,
  healthOf,
  INSTALLATION,
  openGitHubMode,
  scimIdOf,
  scimRequest,
  SYNC,
  syncPulls,
  yamlAt,
} from "./support/github-mode.js";

/** The proposer's longest wait between attempts in serve (DEFAULT_CONFIG.retryDelaysMs' last). */
const BACKOFF_CAP_MS = 30_000;
/** Probot's plugin-retry, on in the App, waits 1 + 4 + 9 s over a request's three retries. */
const PLUGIN_RETRY_MS = 14_000;
const ALICE_FILE = "policies/identities/users/alice-example-com.yaml";
const CAROL_FILE = "policies/identities/users/carol-example-com.yaml";

let world: GitHubModeWorld | undefined;
let ledger: JournalLedger | undefined;

afterEach(async () => {
  await ledger?.close();
  ledger = undefined;
  await world?.close();
  world = undefined;
});

const fileOf = (userName: string) => `policies/identities/users/${userName.replace(/[@.]/g, "-")}.yaml`;

/**
 * Serve has nothing left to do: healthy, a flush finished after `since` (a restarted serve flushes once at
 * start, after its recovery), and nothing pending in the ledger, the proposer or the emergency queue.
 */
async function settled(serve: ServeProcess, since: number, timeout: number): Promise<void> {
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
async function expectConsistentAfter(fake: FakeGitHub, dataDir: string): Promise<void> {
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
function expectOnSyncBranch(fake: FakeGitHub, expected: ReadonlyMap<string, Record<string, unknown>>) {
  const wrong = [...expected].filter(
    ([userName, fields]) =>
      !Object.entries(fields).every(([key, value]) => yamlAt(fake, SYNC, fileOf(userName))?.[key] === value),
  );
  expect(wrong.map(([userName]) => userName)).toEqual([]);
}

describe("GitHub down for a full minute", () => {
  it(
    "60 s (real time) of refused connections while the IdP writes: every request 2xx, /healthz failing, then everything lands within the backoff cap",
    { timeout: 150_000 },
    async () => {
      const { fake, serve } = await openServing("e2e-github-faults-down-");
      expect((await healthOf(serve)).status).toBe(200);
      const alice = await scimIdOf(serve, "Users", "userName", "alice@example.com");
      const carol = await scimIdOf(serve, "Users", "userName", "carol@example.com");

      const answers: ScimAnswer[] = [];
      const expected = new Map<string, Record<string, unknown>>();
      const create = async (userName: string) => {
        const answer = await scimRequest(serve, "POST", "/Users", oktaUser(userName));
        answers.push(answer);
        expected.set(userName, { id: answer.body?.id, userName, active: true });
      };

      const outage = 60_000;
      const downUntil = Date.now() + outage;
      fake.faults.downUntil = downUntil;
      // At the start of the outage: new people, a rename, a leaver.
      for (let n = 0; n < 4; n++) await create(`early-${n}@example.com`);
      answers.push(
        await scimRequest(
          serve,
          "PATCH",
          `/Users/${carol}`,
          patchOf({ op: "replace", path: "displayName", value: "Carol Renamed" }),
        ),
      );
      expected.set("carol@example.com", { displayName: "Carol Renamed", active: true });
      answers.push(
        await scimRequest(
          serve,
          "PATCH",
          `/Users/${alice}`,
          patchOf({ op: "replace", path: "active", value: false }),
        ),
      );
      expected.set("alice@example.com", { active: false });

      // Through the outage /healthz is asked every second, as a probe would; the IdP writes again halfway
      // and near the end.
      const reports: (Awaited<ReturnType<typeof healthOf>> & { askedAt: number; answeredAt: number })[] = [];
      let wroteMiddle = false;
      let wroteLate = false;
      while (Date.now() < downUntil) {
        const askedAt = Date.now();
        reports.push({ ...(await healthOf(serve)), askedAt, answeredAt: Date.now() });
        const left = downUntil - Date.now();
        if (!wroteMiddle && left < outage / 2) {
          wroteMiddle = true;
          for (let n = 0; n < 3; n++) await create(`middle-${n}@example.com`);
          const early = expected.get("early-0@example.com")?.["id"] as string;
          answers.push(
            await scimRequest(
              serve,
              "PATCH",
              `/Users/${early}`,
              patchOf({ op: "replace", path: "displayName", value: "Early Renamed" }),
            ),
          );
          expected.set("early-0@example.com", { id: early, displayName: "Early Renamed" });
        }
        if (!wroteLate && left < 10_000) {
          wroteLate = true;
          for (let n = 0; n < 2; n++) await create(`late-${n}@example.com`);
        }
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      expect(wroteLate).toBe(true);
      // Nothing reached GitHub in the minute, yet the IdP was told every change is kept.
      expect(fake.log.filter((entry) => entry.at >= downUntil - outage && entry.at < downUntil)).toEqual([]);
      expect(answers.map((answer) => answer.status).filter((status) => status >= 300)).toEqual([]);
      expect(answers).toHaveLength(12);

      // What /healthz said, every second of the minute (it answers without waiting out the App's retries):
      // 503 "failing", the repository unreadable, and once a flush had failed, that too, with the changes
      // pending and the leaver's emergency queued. No answer given while GitHub was down may say it is fine;
      // only one less than a second old from before the outage was cached.
      const during = reports.filter(
        (report) => report.askedAt > downUntil - outage + 1_500 && report.answeredAt < downUntil,
      );
      expect(during.length).toBeGreaterThan(10);
      expect(during.filter((report) => report.status !== 503 || report.body.repository.ok)).toEqual([]);
      const last = during.at(-1);
      expect(last?.body).toMatchObject({
        status: "failing",
        problems: ["the policy repository cannot be read", "the last flush to the policy repository failed"],
        repository: { ok: false, location: "acme/policy" },
        flush: { emergencies: { merged: 0, queued: 1 } },
      });
      expect(last?.body.repository.error).toMatch(/could not reach GitHub|could not be read within/);
      expect(last?.body.flush.lastError).toMatch(/could not reach GitHub/);
      // The 12 acknowledged changes and the leaver's emergency, none of them on GitHub yet.
      expect(last?.body.flush.pendingChanges).toBeGreaterThanOrEqual(12);
      expect(JSON.stringify(reports)).not.toContain("example.com");

      // GitHub is back: the leaver's revocation is merged and the sync PR holds every acknowledged change.
      await expect
        .poll(
          () => {
            const merged = emergencyPullsOf(fake).some((pull) => pull.mergeCommit !== undefined);
            const synced = syncPulls(fake).some((pull) => pull.state === "open");
            return merged && synced;
          },
          { timeout: BACKOFF_CAP_MS + PLUGIN_RETRY_MS, interval: 100 },
        )
        .toBe(true);
      await settled(serve, downUntil, BACKOFF_CAP_MS + PLUGIN_RETRY_MS);
      const took = Date.now() - downUntil;
      console.info(`GitHub down ${outage / 1000} s: everything landed ${took} ms after it was back`);
      expect(took).toBeLessThan(BACKOFF_CAP_MS + PLUGIN_RETRY_MS);

      const emergencies = emergencyPullsOf(fake);
      expect(emergencies).toHaveLength(1);
      expect(emergencies[0]).toMatchObject({ state: "closed", labels: [EMERGENCY_LABEL] });
      expect(emergencies[0]?.head).toMatch(/^scim-gitops\/emergency\/alice-example-com-/);
      expect(yamlAt(fake, "main", ALICE_FILE)).toMatchObject({ active: false });
      expect(syncPulls(fake)).toHaveLength(1);
      expectOnSyncBranch(fake, expected);
      expect(yamlAt(fake, SYNC, CAROL_FILE)).toMatchObject({ displayName: "Carol Renamed" });
      // The start's recovery, then the emergency, each failed after the App's retries, and said why.
      expect(`${serve.stdout()}${serve.stderr()}`).toMatch(
        /ERROR .*could not reach GitHub \(read ECONNRESET\); check the network and the GitHub address/,
      );

      await stopAndExpectConsistent(fake, serve);
    },
  );
});

/** A fresh fake whose main requires the App's guard, and serve in GitHub mode on it. */
async function openServing(prefix: string): Promise<{ fake: FakeGitHub; serve: ServeProcess }> {
  world = await openGitHubMode(prefix);
  world.fake.state.rules.set("main", { requiredChecks: ["revocation-guard"] });
  return { fake: world.fake, serve: await world.startServe() };
}

/** Serve started again on the same data directory (the killed one's ledger). */
function restartServe(): Promise<ServeProcess> {
  if (world === undefined) throw new Error("no serve to restart");
  return world.startServe();
}

/** The IdP deactivates `userName`: serve must acknowledge it. */
async function deactivate(serve: ServeProcess, userName: string): Promise<void> {
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
async function stopAndExpectConsistent(fake: FakeGitHub, serve: ServeProcess): Promise<void> {
  await fake.webhooks.idle();
  expect(await serve.stop("SIGTERM")).toBe(0);
  await expectConsistentAfter(fake, world?.dataDir ?? "");
}

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

describe("a secondary limit and 5xx answers during a flush", () => {
  it(
    "serve says it waits out retry-after, bridges the 5xx, and the end state is consistent",
    { timeout: 90_000 },
    async () => {
      const { fake, serve } = await openServing("e2e-github-faults-limits-");
      const expected = new Map<string, Record<string, unknown>>();

      const limitedAt = Date.now();
      fake.faults.rateLimit = { status: 403, retryAfterSeconds: 2, times: 1 };
      const created = await scimRequest(serve, "POST", "/Users", oktaUser("limited@example.com"));
      expect(created.status).toBe(201);
      expected.set("limited@example.com", { id: created.body.id, active: true });
      await deactivate(serve, "bob@example.com");
      await settled(serve, limitedAt, 60_000);
      const limited = fake.log.findIndex((entry) => entry.status === 403);
      expect(limited).toBeGreaterThanOrEqual(0);
      expect(serve.stdout() + serve.stderr()).toMatch(
        /GitHub rate limit hit on .* \(403\): wait 2 s and try again/,
      );

      fake.faults.serverError = { status: 502, times: 2 };
      const since = fake.log.length;
      const failedAt = Date.now();
      const second = await scimRequest(serve, "POST", "/Users", oktaUser("after-502@example.com"));
      expect(second.status).toBe(201);
      expected.set("after-502@example.com", { id: second.body.id, active: true });
      await expect
        .poll(() => yamlAt(fake, SYNC, fileOf("after-502@example.com"))?.["id"], { timeout: 60_000 })
        .toBe(second.body.id);
      await settled(serve, failedAt, 60_000);
      expect(fake.log.slice(since).filter((entry) => entry.status === 502)).toHaveLength(2);

      expect(syncPulls(fake)).toHaveLength(1);
      expectOnSyncBranch(fake, expected);
      const emergencies = emergencyPullsOf(fake);
      expect(emergencies).toHaveLength(1);
      expect(emergencies[0]?.mergeCommit).toBeDefined();
      expect(yamlAt(fake, "main", "policies/identities/users/bob-example-com.yaml")).toMatchObject({
        active: false,
      });
      await stopAndExpectConsistent(fake, serve);
    },
  );
});
