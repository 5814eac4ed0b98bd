/**
 * Issue 12's faults at the process level: `scim-gitops serve` in GitHub mode (the built CLI, a child
 * process, the App's own retries and the proposer's default backoff, nothing shortened) against the
 * stateful GitHub fake, which lives in this process and so outlives serve. GitHub down for a full minute
 * while the IdP writes, a secondary limit and 5xx answers during a flush. Whatever happens, every change
 * serve acknowledged reaches the sync branch (or main), and there is one sync PR. Crashes are in
 * github-mode-kills.test.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { oktaUser, patchOf } from "../scim/support/scim-server.js";
import type { ScimAnswer } from "./support/github-mode.js";
import {
  EMERGENCY_LABEL,
  emergencyPullsOf,
  healthOf,
  scimIdOf,
  scimRequest,
  SYNC,
  syncPulls,
  yamlAt,
} from "./support/github-mode.js";
import {
  ALICE_FILE,
  closeFaultsWorld,
  deactivate,
  expectOnSyncBranch,
  fileOf,
  openServing,
  settled,
  stopAndExpectConsistent,
} from "./support/github-mode-faults.js";

/** The proposer's longest wait between attempts in serve (DEFAULT_CONFIG.retryDelaysMs' last). */
const BACKOFF_CAP_MS = 30_000;
/** Probot's plugin-retry, on in the App, waits 1 + 4 + 9 s over a request's three retries. */
const PLUGIN_RETRY_MS = 14_000;
const CAROL_FILE = "policies/identities/users/carol-example-com.yaml";

afterEach(closeFaultsWorld);

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
