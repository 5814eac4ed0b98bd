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

/** Serve has nothing left to do: healthy, nothing pending in the ledger, the proposer or the emergency queue. */
async function settled(serve: ServeProcess, timeout: number): Promise<void> {
  await expect
    .poll(
      async () => {
        const { status, body } = await healthOf(serve);
        return (
          status === 200 &&
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
    "60 s of refused connections in real time while the IdP writes: every request 2xx, /healthz failing, then everything lands within the backoff cap",
    { timeout: 150_000 },
    async () => {
      world = await openGitHubMode("e2e-github-faults-down-");
      const { fake } = world;
      fake.state.rules.set("main", { requiredChecks: ["revocation-guard"] });
      const serve = await world.startServe();
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
      expect(last?.body.flush.pendingChanges).toBeGreaterThan(0);
      expect(last?.body.flush.flushFailures).toBeGreaterThan(0);
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
      await settled(serve, BACKOFF_CAP_MS + PLUGIN_RETRY_MS);
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
      expect(`${serve.stdout()}${serve.stderr()}`).toMatch(/sync flush failed \(retrying in \d+ ms\)/);

      await fake.webhooks.idle();
      expect(await serve.stop("SIGTERM")).toBe(0);
      await expectConsistentAfter(fake, world.dataDir);
    },
  );
});
