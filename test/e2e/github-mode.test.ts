/**
 * End to end (issue 12): `scim-gitops serve` in GitHub mode, the built CLI as a child process, against the
 * stateful GitHub fake (a real bare repository, GitHub's App auth, rules, auto-merge, and REST/GraphQL
 * answers checked against GitHub's published schemas), with signed webhooks over real HTTP to serve's one
 * server. The whole story runs twice: on github.com's paths (Probot's own api.github.com base, its requests
 * routed to the fake by a preload) and on GitHub Enterprise Server's (GHE_HOST, GHE_PROTOCOL=http, so
 * `/api/v3` and `/api/graphql`).
 */
import { generateKeyPairSync } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZERO } from "../fakes/github/fake-git-store.js";
import type { FakeGitHub } from "../fakes/github/fake-github.js";
import type { FakePull } from "../fakes/github/fake-github-state.js";
import { pushDirectly } from "../repos/github/github-fixture.js";
import { GROUP_URN, oktaUser, patchOf } from "../scim/support/scim-server.js";
import type { ServeProcess } from "../server/serve-process.js";
import { runServeUntilExit } from "../server/serve-process.js";
import type { GitHubModeWorld } from "./support/github-mode.js";
import {
  APP_ID,
  checkOn as checkOf,
  EMERGENCY_LABEL,
  emergencyPullsOf,
  fileAt as fileOf,
  INSTALLATION,
  mainHeadOf,
  openGitHubMode,
  openSyncPulls as openSyncPullsOf,
  PRIVATE_KEY,
  pullsOf,
  SCIM_TOKEN,
  scimIdOf,
  scimRequest,
  SYNC,
  WEBHOOK_SECRET,
  webhookUrlOf,
  yamlAt as yamlOf,
} from "./support/github-mode.js";

let world: GitHubModeWorld;
let fake: FakeGitHub;
let serve: ServeProcess;
let webhookUrl: string;

const scim = (method: string, path: string, body?: unknown) => scimRequest(serve, method, path, body);
const idOf = (kind: "Users" | "Groups", attribute: string, value: string) =>
  scimIdOf(serve, kind, attribute, value);
const fileAt = (ref: string, path: string) => fileOf(fake, ref, path);
const yamlAt = (ref: string, path: string) => yamlOf(fake, ref, path);
const pulls = () => pullsOf(fake);
const openSyncPulls = () => openSyncPullsOf(fake);
const emergencyPulls = () => emergencyPullsOf(fake);
const mainHead = () => mainHeadOf(fake);
const checkOn = (pull: FakePull, name: string) => checkOf(fake, pull, name);

describe.each([
  { paths: "github.com", api: "" },
  { paths: "ghes", api: "/api/v3" },
] as const)("serve in GitHub mode on $paths paths", ({ paths, api }) => {
  beforeAll(async () => {
    world = await openGitHubMode(`e2e-github-mode-${paths}-`, paths);
    fake = world.fake;
    // Ruleset on main: the App's guard is required, so no PR merges before the App has judged its head.
    fake.state.rules.set("main", { requiredChecks: ["revocation-guard"] });
    serve = await world.startServe({ LOG_LEVEL: "debug" });
    webhookUrl = webhookUrlOf(serve);
  }, 90_000);

  afterAll(async () => {
    await world?.close();
  });

  it("starts on POLICY_REPO through the App's installation and says where the webhooks go", async () => {
    expect(serve.stdout()).toContain(
      `Policy repository: acme/policy on ${paths === "ghes" ? new URL(fake.url).host : "github.com"} (GitHub App ${APP_ID}, installation ${INSTALLATION};`,
    );
    expect(webhookUrl).toBe(`${serve.origin}/api/github/webhooks`);
    const health = (await (await fetch(`${serve.origin}/healthz`)).json()) as {
      status: string;
      repository: { location: string; mainHead: string };
      ledger: { users: number; groups: number };
    };
    expect(health).toMatchObject({
      status: "ok",
      repository: { location: "acme/policy", mainHead: await mainHead() },
      ledger: { users: 8, groups: 4 },
    });
    // The App asked GitHub on these paths only (the API at the root on github.com, under /api/v3 on GHES).
    expect(fake.log.some((entry) => entry.path === `${api}/repos/acme/policy/installation`)).toBe(true);
    expect(
      fake.log.some((entry) => entry.path === `${api}/app/installations/${INSTALLATION}/access_tokens`),
    ).toBe(true);
    const other = paths === "ghes" ? /^\/(?!api\/)/ : /^\/api\//;
    expect(
      fake.log.filter((entry) => other.test(entry.path) && !entry.path.startsWith("/_codeload/")),
    ).toEqual([]);
  });

  it("turns SCIM users and a group into exactly one sync PR with the right YAML, title and body, checked by the App", async () => {
    for (const [userName, displayName] of [
      ["zoe@example.com", "Zoe Example"],
      ["yuri@example.com", "Yuri Example"],
    ] as const) {
      expect((await scim("POST", "/Users", oktaUser(userName, { displayName }))).status).toBe(201);
    }
    const zoe = await idOf("Users", "userName", "zoe@example.com");
    const group = await scim("POST", "/Groups", {
      schemas: [GROUP_URN],
      displayName: "payments-oncall",
      members: [{ value: zoe }],
    });
    expect(group.status).toBe(201);
    const payments = await idOf("Groups", "displayName", "payments-engineers");
    const added = await scim(
      "PATCH",
      `/Groups/${payments}`,
      patchOf({ op: "add", path: "members", value: [{ value: zoe }] }),
    );
    expect(added.status).toBeLessThan(300);

    const title = "SCIM sync: +2 users, +1 group, 1 group change";
    // Settled: the PR says what the branch holds once the last of the four operations has been flushed.
    await expect
      .poll(
        () =>
          openSyncPulls().map((pull) => [
            pull.title,
            pull.body.includes(`\`SCIM-Operation: PATCH Group ${payments}\``),
          ]),
        { timeout: 30_000, interval: 100 },
      )
      .toEqual([[title, true]]);
    const [sync] = openSyncPulls();
    if (sync === undefined) throw new Error("no sync PR");
    expect(sync.base).toBe("main");
    expect(sync.body).toContain("### Access diff");
    expect(sync.body).toContain("**zoe@example.com (Zoe Example), new**");
    expect(sync.body).toContain("**gains** namespace acme/payments: consume, produce");
    expect(sync.body).toContain(`\`SCIM-Operation: PATCH Group ${payments}\``);
    expect(sync.body).toContain(`\`SCIM-Operation: POST User ${zoe}\``);

    expect(yamlAt(SYNC, "policies/identities/users/zoe-example-com.yaml")).toMatchObject({
      id: zoe,
      userName: "zoe@example.com",
      displayName: "Zoe Example",
      active: true,
      emails: ["zoe@example.com"],
    });
    expect(yamlAt(SYNC, "policies/identities/groups/payments-oncall.yaml")).toMatchObject({
      displayName: "payments-oncall",
      members: ["zoe@example.com"],
    });
    expect(yamlAt(SYNC, "policies/identities/groups/payments-engineers.yaml")?.["members"]).toEqual([
      "alice@example.com",
      "bob@example.com",
      "zoe@example.com",
    ]);
    // The App heard of the PR by webhook and judged its head: an ordinary PR, reviewed by a person.
    await expect
      .poll(async () => (await checkOn(sync, "revocation-guard"))?.conclusion, { timeout: 30_000 })
      .toBe("success");
    await expect
      .poll(async () => (await checkOn(sync, "access-diff"))?.conclusion, { timeout: 30_000 })
      .toBe("neutral");
    expect(pulls().filter((pull) => pull.head === SYNC)).toHaveLength(1);
  });

  it("after a person merges the sync PR, main holds the identities and no second sync PR opens", async () => {
    const [sync] = openSyncPulls();
    if (sync === undefined) throw new Error("no sync PR");
    // A person presses "Merge" once the required guard is green on the head they see.
    await expect
      .poll(
        async () => {
          if ((await checkOn(sync, "revocation-guard"))?.conclusion !== "success")
            return "waiting for the guard";
          const head = await fake.state.headSha(sync);
          return (await fake.state.merge(sync, { sha: head, title: `Merge pull request #${sync.number}` }))
            .status;
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBe(200);
    expect(yamlAt("main", "policies/identities/users/zoe-example-com.yaml")).toMatchObject({ active: true });
    await fake.webhooks.idle();
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${serve.origin}/healthz`)).json()) as { repository: { mainHead: string } })
            .repository.mainHead,
        {
          timeout: 10_000,
        },
      )
      .toBe(await mainHead());
    expect(openSyncPulls()).toEqual([]);
  });

  it("merges a leaver's revocation-only emergency PR, checked by revocation-guard, within 10 s", async () => {
    const alice = await idOf("Users", "userName", "alice@example.com");
    const before = await mainHead();
    const patched = await scim(
      "PATCH",
      `/Users/${alice}`,
      patchOf({ op: "replace", path: "active", value: false }),
    );
    expect(patched.status).toBe(200);
    const acknowledged = Date.now();
    await expect
      .poll(() => emergencyPulls().find((pull) => pull.mergeCommit !== undefined)?.state, {
        timeout: 10_000,
        interval: 50,
      })
      .toBe("closed");
    const mergedWithin = Date.now() - acknowledged;
    expect(mergedWithin).toBeLessThan(10_000);
    const [emergency] = emergencyPulls();
    if (emergency === undefined) throw new Error("no emergency PR");
    expect(emergency.labels).toEqual([EMERGENCY_LABEL]);
    expect(emergency.head).toMatch(/^scim-gitops\/emergency\/alice-example-com-\d{8}T\d{6}Z$/);
    expect(await mainHead()).toBe(emergency.mergeCommit);
    const merge = await fake.store.commit(emergency.mergeCommit ?? "");
    expect(merge?.parents[0]).toBe(before);
    expect(merge?.message).toContain("Emergency-Merge: direct");
    expect(yamlAt("main", "policies/identities/users/alice-example-com.yaml")).toMatchObject({
      active: false,
    });
    const guard = fake.state.checkRuns.find(
      (run) => run.headSha === merge?.parents[1] && run.name === "revocation-guard",
    );
    expect(guard).toMatchObject({ status: "completed", conclusion: "success" });
  });

  it("fails a person's emergency-labelled PR that grants, disables its auto-merge, and leaves it open", async () => {
    const branch = "person/grant-yuri";
    await fake.store.updateRef(`refs/heads/${branch}`, await mainHead(), ZERO);
    const access = fileAt("main", "policies/access/payments.yaml") ?? "";
    const granting = `${access.trimEnd()}\n  - user: yuri@example.com\n    roles: [payments-writer]\n`;
    expect(granting).toContain("bindings:");
    const head = await pushDirectly(fake, branch, "policies/access/payments.yaml", granting);
    const pull = fake.state.openPull({ head: branch, base: "main", title: "Yuri needs payments", body: "" });
    pull.autoMerge = { expectedHead: undefined, headline: "", body: "", enabledAt: new Date().toISOString() };
    fake.state.addLabels(pull, [EMERGENCY_LABEL]);
    await expect
      .poll(async () => (await checkOn(pull, "revocation-guard"))?.conclusion, { timeout: 30_000 })
      .toBe("failure");
    const guard = await checkOn(pull, "revocation-guard");
    expect(guard?.title).toBe(`Labelled ${EMERGENCY_LABEL} but not revocation-only`);
    expect(guard?.headSha).toBe(head);
    await fake.webhooks.idle();
    expect(pull).toMatchObject({ state: "open", autoMerge: undefined });
    expect(pull.mergeCommit).toBeUndefined();
    expect((await fake.state.mergeState(pull)).state).toBe("blocked");
  });

  it("with emergency.merge auto and another required check pending, arms auto-merge, which carries the PR once CI passes", async () => {
    const settings = (fileAt("main", "policies/settings.yaml") ?? "").replace("merge: direct", "merge: auto");
    await pushDirectly(fake, "main", "policies/settings.yaml", settings);
    fake.state.rules.set("main", { requiredChecks: ["revocation-guard", "plan"] });
    await fake.webhooks.idle();
    const bob = await idOf("Users", "userName", "bob@example.com");
    expect(
      (await scim("PATCH", `/Users/${bob}`, patchOf({ op: "replace", path: "active", value: false }))).status,
    ).toBe(200);
    const bobsPull = () => emergencyPulls().find((pull) => pull.head.includes("bob-example-com"));
    await expect.poll(() => bobsPull()?.autoMerge !== undefined, { timeout: 10_000 }).toBe(true);
    const pull = bobsPull();
    if (pull === undefined) throw new Error("no emergency PR for bob");
    expect(pull.state).toBe("open");
    expect(await checkOn(pull, "revocation-guard")).toMatchObject({ conclusion: "success" });
    expect((await fake.state.mergeState(pull)).reason).toBe('Required status check "plan" is expected.');

    // The policy repository's plan workflow reports, as GitHub Actions would; GitHub's auto-merge does the rest.
    const head = await fake.state.headSha(pull);
    fake.state.addCheckRun({
      name: "plan",
      headSha: head,
      status: "completed",
      conclusion: "success",
      title: "No changes to apply before merge",
      summary: "",
      startedAt: new Date().toISOString(),
      completedAt: new Date().toISOString(),
    });
    const mergedAt = Date.now();
    await fake.state.runAutoMerges();
    expect(pull.state).toBe("closed");
    expect(await mainHead()).toBe(pull.mergeCommit);
    expect((await fake.store.commit(pull.mergeCommit ?? ""))?.message).toContain(
      "Emergency-Merge: auto (GitHub auto-merge)",
    );
    expect(yamlAt("main", "policies/identities/users/bob-example-com.yaml")).toMatchObject({ active: false });
    // While the emergency waited, the sync PR carried bob's deactivation too; main holds it now, so the
    // push webhook has the proposer rebuild the sync branch on main: nothing is left, and GitHub closes it.
    // A sync flush may have taken main from before the merge: settled means one finished after it, with
    // nothing pending, and the branch gone.
    await expect
      .poll(
        async () => {
          const health = (await (await fetch(`${serve.origin}/healthz`)).json()) as {
            flush: { pendingChanges: number; lastFlushAt?: string };
          };
          const flushedAfter = Date.parse(health.flush.lastFlushAt ?? "") >= mergedAt;
          const gone = (await fake.store.ref(`refs/heads/${SYNC}`)) === undefined;
          return flushedAfter && health.flush.pendingChanges === 0 && gone;
        },
        { timeout: 20_000, interval: 200 },
      )
      .toBe(true);
    await fake.webhooks.idle();
    expect(openSyncPulls()).toEqual([]);
  });

  it("stops on SIGTERM; no token, key or webhook secret reached its output; every answer fit GitHub's schema", async () => {
    await fake.webhooks.idle();
    expect(await serve.stop("SIGTERM")).toBe(0);
    const output = `${serve.stdout()}\n${serve.stderr()}`;
    expect(serve.stderr()).toContain("DEBUG"); // LOG_LEVEL=debug: Probot's own lines were written too
    const secrets = [
      WEBHOOK_SECRET,
      SCIM_TOKEN,
      Buffer.from(PRIVATE_KEY).toString("base64").slice(0, 64),
      ...PRIVATE_KEY.split("\n").filter((line) => line.length > 20 && !line.startsWith("-----")),
      ...(fake.app?.tokens.keys() ?? []),
    ];
    expect((fake.app?.tokens.size ?? 0) > 0).toBe(true);
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(fake.webhooks.deliveries.length).toBeGreaterThan(5);
    expect(fake.webhooks.deliveries.filter((delivery) => delivery.status !== 200)).toEqual([]);
    expect(fake.mismatches).toEqual([]);
  });
});

describe("serve in GitHub mode refuses to start", () => {
  beforeAll(async () => {
    world = await openGitHubMode("e2e-github-mode-refused-");
  }, 90_000);

  afterAll(async () => {
    await world?.close();
  });

  const attempt = async (name: string, extra: Record<string, string>) =>
    runServeUntilExit(["--data", join(world.scratch, `refused-${name}`)], world.env(extra));

  it("when the App is not installed on POLICY_REPO", async () => {
    const result = await attempt("not-installed", { POLICY_REPO: "acme/elsewhere" });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      `scim-gitops serve: the GitHub App ${APP_ID} is not installed on acme/elsewhere (POLICY_REPO): install it on ` +
        "that repository from the App's page (Install App), or set POLICY_REPO to a repository it is installed on",
    );
  });

  it("when the private key is not the App's", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const result = await attempt("bad-key", { PRIVATE_KEY: other });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(
      `GitHub refused the App's credentials (401): check that APP_ID=${APP_ID}`,
    );
    expect(result.stderr).not.toContain(other.split("\n")[1]);
  });

  it("when the webhook secret is empty, or the key is not a key", async () => {
    const empty = await attempt("no-secret", { WEBHOOK_SECRET: "" });
    expect(empty.status).toBe(1);
    expect(empty.stderr.trim()).toMatch(
      /^scim-gitops serve: GitHub mode cannot start: WEBHOOK_SECRET is not set/,
    );
    const garbled = await attempt("garbled-key", { PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----abc" });
    expect(garbled.status).toBe(1);
    expect(garbled.stderr).toContain("PRIVATE_KEY is not an RSA private key");
  });
});
