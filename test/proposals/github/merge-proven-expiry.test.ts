/**
 * The expiry PR through the emergency path (issue 8), against the stateful GitHub fake: the `policy-expire`
 * workflow's labelled PR from `scim-gitops/expire` is merged by the App's check once its `revocation-guard`
 * passed, as main's settings say, and left for a person in every other case.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EXPIRE_BRANCH } from "../../../src/action/expiry-branch.js";
import { planExpiryEdit } from "../../../src/policy/expiry/plan-expiry-edit.js";
import { EMERGENCY_LABEL } from "../../../src/proposals/github/github-emergency-host.js";
import { runActionStep } from "../../action/support/action-step.js";
import {
  PullRequestChecks,
  REVOCATION_GUARD_CHECK,
} from "../../../src/proposals/github/pull-request-checks.js";
import type { FileChange } from "../../../src/repos/policy-repo.js";
import { pushDirectly } from "../../repos/github/github-fixture.js";
import type { GitHubProposals } from "./github-proposals-fixture.js";
import { openGitHubProposals } from "./github-proposals-fixture.js";

const NOW = new Date("2026-11-29T02:15:00.000Z");
const ACCESS_FILE = "policies/access/payments.yaml";
const SETTINGS_FILE = "policies/settings.yaml";
const READONLY_FILE = "policies/identities/groups/payments-readonly.yaml";

/** Bob's audit grant ended on 20 November; Alice's holds into next year. */
const ACCESS = [
  "roles:",
  "  payments-writer:",
  "    nats:",
  "      - account: PAYMENTS",
  '        publish: ["payments.>"]',
  '        subscribe: ["payments.>"]',
  "  payments-no-publish:",
  "    nats:",
  "      - account: PAYMENTS",
  "        publish:",
  '          allow: ["_INBOX.>"]',
  '          deny: ["payments.>"]',
  '        subscribe: ["payments.>"]',
  "  payments-auditor:",
  "    nats:",
  "      - account: PAYMENTS",
  '        subscribe: ["audit.>"]',
  "bindings:",
  "  - group: payments-engineers",
  "    roles: [payments-writer]",
  "  - group: payments-readonly",
  "    roles: [payments-no-publish]",
  "  # Bob audits the November close",
  "  - user: bob@example.com",
  "    roles: [payments-auditor]",
  "    expires: 2026-11-20",
  "  - user: alice@example.com",
  "    roles: [payments-auditor]",
  "    expires: 2027-01-31",
  "",
].join("\n");

interface MainSettings {
  readonly expiry?: boolean;
  readonly merge?: "direct" | "auto" | "off";
  /** guards.maxRevocations and guards.minRevocations. */
  readonly guards?: readonly [string, number];
}

function settings(options: MainSettings): string {
  const [max, min] = options.guards ?? ["25%", 5];
  return [
    "version: 1",
    "nats:",
    '  principal: "{userName}"',
    "  manage:",
    "    accounts: [PAYMENTS]",
    "  bucket: scim-gitops-access",
    "guards:",
    `  maxRevocations: ${max}`,
    `  minRevocations: ${min}`,
    "emergency:",
    "  triggers: [deactivated, deleted]",
    `  merge: ${options.merge ?? "direct"}`,
    `  expiry: ${String(options.expiry ?? true)}`,
    "",
  ].join("\n");
}

let world: GitHubProposals;
let main: string;

afterEach(async () => {
  expect(world.fake.mismatches).toEqual([]);
  await world.close();
});

/** Main with the dated bindings and these settings; branch rules require `requiredChecks`. */
async function openWorld(options: MainSettings = {}, requiredChecks = [REVOCATION_GUARD_CHECK]) {
  world = await openGitHubProposals();
  world.fake.state.rules.set("main", { requiredChecks });
  main = await world.repo.commitFiles({
    branch: "main",
    parent: world.main,
    changes: [
      { path: SETTINGS_FILE, content: settings(options) },
      { path: ACCESS_FILE, content: ACCESS },
    ],
    message: "Dated bindings\n",
    update: { kind: "expect", head: world.main },
  });
  world.fake.log.length = 0;
}

const checks = () =>
  new PullRequestChecks({ repo: world.repo, pulls: world.pulls, policyDir: "policies", now: () => NOW });

/**
 * What the workflow makes (`expire --write` on main, one commit on main's head, a PR, the label), plus
 * `extra` changes a person could have pushed to the branch.
 */
async function expiryPullRequest(
  options: { branch?: string; label?: boolean; extra?: readonly FileChange[]; parent?: string } = {},
) {
  const parent = options.parent ?? main;
  const edit = planExpiryEdit(await world.repo.readFiles(parent, "policies"), {
    dir: "policies",
    now: NOW,
    warnWithinDays: 0,
  });
  expect(edit.expired.map((binding) => binding.subject.name)).toEqual(["bob@example.com"]);
  const branch = options.branch ?? EXPIRE_BRANCH;
  const head = await world.repo.commitFiles({
    branch,
    parent,
    changes: [
      ...[...edit.changes].map(([path, content]) => ({ path: `policies/${path}`, content })),
      ...(options.extra ?? []),
    ],
    message: "Remove the expired binding of user bob@example.com\n",
    update: { kind: "create" },
  });
  const pull = await world.pulls.open({
    head: branch,
    base: "main",
    title: "Remove the expired binding of user bob@example.com",
    body: "",
  });
  if (options.label ?? true) await world.pulls.addLabels(pull.number, [EMERGENCY_LABEL]);
  world.fake.log.length = 0;
  return { number: pull.number, head };
}

const merges = () =>
  world.fake.log.filter((entry) => entry.method === "PUT" && entry.path.endsWith("/merge"));
const guardOn = (sha: string) =>
  world.fake.state.checkRuns.find((run) => run.headSha === sha && run.name === REVOCATION_GUARD_CHECK);

describe("the expiry PR on the emergency path", () => {
  it("direct: merged by the App right after its success guard, pinned to the proven head", async () => {
    await openWorld({ merge: "direct" });
    const { number, head } = await expiryPullRequest();
    const result = await checks().check(number);

    expect(result).toMatchObject({ guard: "success", headSha: head, posted: true });
    expect(result.expiry).toMatchObject({ outcome: "merged" });
    const pull = world.fake.pulls.get(number);
    expect(pull).toMatchObject({ state: "closed" });
    expect(result.expiry).toEqual({ outcome: "merged", commit: pull?.mergeCommit });
    const merge = await world.repo.readCommit((await world.repo.head("main")) ?? "");
    expect(merge.sha).toBe(pull?.mergeCommit);
    expect(merge.parents).toEqual([main, head]);
    expect(merge.message).toMatch(/^Remove the expired binding of user bob@example.com \(#\d+\)\n/);
    expect(merge.message).toContain("- user bob@example.com → payments-auditor (last day 2026-11-20)");
    expect(merge.message).toMatch(
      /\n\nExpired-Bindings: 1\nRevocation-Only: proven\nEmergency-Merge: direct\n?$/,
    );
    expect(await world.repo.readFile("main", ACCESS_FILE)).not.toContain("bob@example.com");
    expect(await world.repo.head(EXPIRE_BRANCH)).toBeUndefined();

    expect(guardOn(head)).toMatchObject({ conclusion: "success" });
    expect(guardOn(head)?.summary).toContain("the App merges it without review (`emergency.merge: direct`)");
    // The guard is on the head before the merge is asked for, so a ruleset requiring it lets the merge in.
    const order = world.fake.log.map(
      (entry) => `${entry.method} ${entry.path.replace(/^.*\/(check-runs|merge)$/, "$1")}`,
    );
    expect(order.lastIndexOf("POST check-runs")).toBeLessThan(order.indexOf("PUT merge"));
    expect(merges().map((entry) => entry.status)).toEqual([200]);
  });

  it("direct while a required plan check is pending: GitHub's 405 is read, not retried; auto-merge carries it", async () => {
    await openWorld({ merge: "direct" }, [REVOCATION_GUARD_CHECK, "plan"]);
    const { number, head } = await expiryPullRequest();
    const result = await checks().check(number);
    expect(result.expiry).toMatchObject({ outcome: "waiting" });
    expect(result.expiry).toHaveProperty(
      "reason",
      expect.stringMatching(/"plan" is expected.*auto-merge is armed/),
    );
    expect(merges().map((entry) => entry.status)).toEqual([405]);
    expect(world.fake.pulls.get(number)).toMatchObject({ state: "open", autoMerge: expect.anything() });

    await world.pulls.createCheckRun({
      name: "plan",
      headSha: head,
      status: "completed",
      conclusion: "success",
      title: "Plan",
      summary: "1 revoke",
    });
    const pull = world.fake.pulls.get(number);
    expect(pull?.state).toBe("closed");
    expect(await world.repo.head("main")).toBe(pull?.mergeCommit);
    expect((await world.repo.readCommit(pull?.mergeCommit ?? "")).parents).toEqual([main, head]);
  });

  it("auto: merged directly when GitHub says it is already mergeable", async () => {
    await openWorld({ merge: "auto" });
    const { number } = await expiryPullRequest();
    const result = await checks().check(number);
    expect(result.expiry).toMatchObject({ outcome: "merged" });
    const merge = await world.repo.readCommit((await world.repo.head("main")) ?? "");
    expect(merge.message).toContain("Emergency-Merge: auto (already mergeable: merged directly)");
  });

  it("a 409 (the head moved under the merge) is read, not retried, and nothing is merged", async () => {
    await openWorld({ merge: "direct" });
    const { number } = await expiryPullRequest();
    world.fake.faults.mergeRefusal = { status: 409, times: 1 };
    const result = await checks().check(number);
    expect(result.expiry).toMatchObject({ outcome: "not-merged" });
    expect(result.expiry).toHaveProperty("reason", expect.stringContaining("moved since the proof"));
    expect(merges().map((entry) => entry.status)).toEqual([409]);
    expect(world.fake.pulls.get(number)?.state).toBe("open");
    expect(world.fake.pulls.get(number)?.autoMerge).toBeUndefined();
    expect(await world.repo.head("main")).toBe(main);
  });

  describe("left for a person: guard success, nothing merged, the reason on the guard", () => {
    const cases: {
      name: string;
      settings?: MainSettings;
      pull?: () => Parameters<typeof expiryPullRequest>[0] | Promise<Parameters<typeof expiryPullRequest>[0]>;
      reason: RegExp;
    }[] = [
      {
        name: "settings emergency.expiry false",
        settings: { expiry: false },
        reason: /settings `emergency.expiry` on main is not true/,
      },
      {
        name: "emergency.merge off",
        settings: { merge: "off" },
        reason: /`emergency.merge` on main is off/,
      },
      {
        name: "above the mass-revocation guard",
        settings: { guards: ["0", 0] },
        reason: /held for review: 1 of 2 nats principals .* above the mass-revocation guard \(at most 0/,
      },
      {
        name: "the branch also edits a workflow",
        pull: () => ({ extra: [{ path: ".github/workflows/policy-apply.yml", content: "on: push\n" }] }),
        reason:
          /not exactly the removal of main's expired bindings as of 2026-11-29 \(UTC\): it also changes \.github\/workflows\/policy-apply\.yml/,
      },
      {
        name: "the branch also cuts a live binding (revocation-only, but not the expiry's)",
        pull: () => ({
          extra: [
            {
              path: ACCESS_FILE,
              content: ACCESS.replace(
                "  # Bob audits the November close\n  - user: bob@example.com\n    roles: [payments-auditor]\n    expires: 2026-11-20\n",
                "",
              ).replace(
                "  - user: alice@example.com\n    roles: [payments-auditor]\n    expires: 2027-01-31\n",
                "",
              ),
            },
          ],
        }),
        reason: /its edit of policies\/access\/payments\.yaml is not the removal's/,
      },
      {
        name: "built on an older main",
        pull: async () => {
          const older = main;
          main = await pushDirectly(world.fake, "main", "policies/README.md", "moved on\n");
          return { parent: older };
        },
        reason:
          /not one commit on main's head [0-9a-f]{12} \(its parents: [0-9a-f]{12}\); the next `policy-expire` run rebuilds it/,
      },
    ];

    for (const { name, settings: mainSettings, pull, reason } of cases) {
      it(name, async () => {
        await openWorld(mainSettings);
        const { number, head } = await expiryPullRequest(await pull?.());
        const before = await world.repo.head("main");
        const result = await checks().check(number);
        expect(result).toMatchObject({ guard: "success", posted: true });
        expect(result.expiry).toMatchObject({ outcome: "not-merged", reason: expect.stringMatching(reason) });
        expect(guardOn(head)?.summary).toMatch(/\*\*Expiry proposal, not merged by the App:\*\* /);
        expect(guardOn(head)?.summary).toMatch(reason);
        expect(merges()).toEqual([]);
        expect(world.fake.pulls.get(number)?.state).toBe("open");
        expect(await world.repo.head("main")).toBe(before);
      });
    }

    it("not labelled, or labelled from another branch: an ordinary PR, no expiry verdict at all", async () => {
      await openWorld();
      const unlabelled = await expiryPullRequest({ label: false });
      expect((await checks().check(unlabelled.number)).expiry).toBeUndefined();
      const elsewhere = await expiryPullRequest({ branch: "person/expire" });
      expect((await checks().check(elsewhere.number)).expiry).toBeUndefined();
      expect(merges()).toEqual([]);
      expect(await world.repo.head("main")).toBe(main);
    });
  });

  it("an expiry PR that grants fails the guard, loses its armed auto-merge, and is never merged", async () => {
    await openWorld({ merge: "direct" });
    const readonly = (await world.repo.readFile("main", READONLY_FILE)) ?? "";
    // Alice leaving payments-readonly lifts its deny on payments.>: a grant.
    const { number, head } = await expiryPullRequest({
      extra: [
        {
          path: READONLY_FILE,
          content: readonly.replace("members:\n  - alice@example.com\n", "members: []\n"),
        },
      ],
    });
    expect(await world.pulls.enableAutoMerge({ number, sha: head, title: "sneaky", message: "" })).toBe(
      "armed",
    );
    const result = await checks().check(number);
    expect(result).toMatchObject({ guard: "failure", posted: true });
    expect(result.expiry).toBeUndefined();
    expect(guardOn(head)).toMatchObject({ conclusion: "failure" });
    expect(world.fake.pulls.get(number)).toMatchObject({ state: "open", autoMerge: undefined });
    expect(merges()).toEqual([]);
    expect(await world.repo.head("main")).toBe(main);
  });
});

describe("the policy-expire workflow's own PR, end to end", () => {
  it("the expire step opens and labels it on GitHub, and the App's check then merges it", async () => {
    await openWorld({ merge: "direct" });
    const scratch = await mkdtemp(join(tmpdir(), "expiry-through-app-"));
    try {
      // What actions/checkout gives the job: main of the repository the fake serves, `origin` to push to.
      const workspace = join(scratch, "checkout");
      execFileSync("git", ["clone", "--quiet", "--branch", "main", world.fake.store.dir, workspace]);
      const run = await runActionStep({
        scratch,
        workspace,
        sha: main,
        env: {
          INPUT_COMMAND: "expire",
          INPUT_POLICY_DIR: "policies",
          INPUT_GITHUB_TOKEN: "ghs_expireJobToken0123456789abcdef",
          GITHUB_API_URL: world.fake.url,
          GITHUB_REPOSITORY: `${world.fake.owner}/${world.fake.repo}`,
          GITHUB_REF_NAME: "main",
          GITHUB_RUN_ID: "77",
        },
        now: NOW,
      });
      expect(run.code, run.log + run.summary).toBe(0);
      const opened = [...world.fake.pulls.values()].filter((pull) => pull.head === EXPIRE_BRANCH);
      expect(opened.map((pull) => [pull.state, pull.labels])).toEqual([["open", [EMERGENCY_LABEL]]]);
      const number = opened[0]?.number ?? 0;
      const head = await world.fake.state.headSha(opened[0]!);

      // The `labeled` webhook queues the App's check.
      const result = await checks().check(number);
      expect(result).toMatchObject({ guard: "success", headSha: head, expiry: { outcome: "merged" } });
      const pull = world.fake.pulls.get(number);
      expect(pull?.state).toBe("closed");
      expect(await world.repo.head("main")).toBe(pull?.mergeCommit);
      expect((await world.repo.readCommit(pull?.mergeCommit ?? "")).parents).toEqual([main, head]);
      const access = (await world.repo.readFile("main", ACCESS_FILE)) ?? "";
      expect(access).not.toContain("bob@example.com");
      expect(access).not.toContain("Bob audits the November close");
      expect(access).toContain(
        "  - user: alice@example.com\n    roles: [payments-auditor]\n    expires: 2027-01-31\n",
      );
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
