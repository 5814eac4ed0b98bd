/**
 * What a policy repository's three workflows do, in order, with the real commands and the action's real
 * entry point (runAction, which dist/action/main.js runs) on a repository `scim-gitops init` scaffolded:
 * a pull request's plan (annotations, expiring bindings, sticky comment), apply after the merge against the
 * Pulsar fake and a real nats-server, the drift check opening and then closing its issue, and the daily
 * expiry check proposing the removal of an expired binding as a pull request proven revocation-only. The
 * GitHub issues and pulls API is a stateful fake; git is real, remote included.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { StepRun } from "../action/support/action-step.js";
import { runActionStep } from "../action/support/action-step.js";
import { PR_PLAN_MARKER } from "../../src/action/pr-plan-comment.js";
import { DRIFT_LABEL, DRIFT_MARKER } from "../../src/action/drift-issue.js";
import { EXPIRE_MARKER } from "../../src/action/expiry-pull-request.js";
import { main } from "../../src/cli/main.js";
import { loadConfig } from "../../src/config.js";
import { startFakeGitHubIssues, type FakeGitHubIssues } from "../fakes/github-issues/server.js";
import type { FakePulsarAdmin } from "../fakes/pulsar-admin/server.js";
import { CLI_NOW, removeDir } from "../plan/cli-fixture.js";
import { startNatsServer, type RunningNatsServer } from "../support/nats-server.js";
import { SUPER_TOKEN, startFake } from "../targets/pulsar/fixture.js";

const GITHUB_TOKEN = "ghs_e2eInstallationToken0123456789";

let pulsar: FakePulsarAdmin;
let nats: RunningNatsServer;
let github: FakeGitHubIssues;
let scratch: string;
let repo: string;
let origin: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "scim-gitops-loop-"));
  repo = join(scratch, "policy");
  origin = join(scratch, "origin.git");
  [pulsar, nats, github] = await Promise.all([
    startFake(),
    startNatsServer(),
    startFakeGitHubIssues({ owner: "acme", repo: "policy", token: GITHUB_TOKEN, repoDir: origin }),
  ]);
  pulsar.state
    .addTenant("acme", ["admin"])
    .addNamespace("acme/analytics")
    .addNamespace("acme/payments")
    .addNamespace("acme/observability")
    .addNamespace("acme/search")
    .addNamespace("shared/events");
});
afterAll(async () => {
  await Promise.all([pulsar?.close(), nats?.stop(), github?.close()]);
  if (scratch !== undefined) await removeDir(scratch);
});

function git(...args: string[]): string {
  return gitIn(repo, ...args);
}

function gitIn(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Policy Owner",
      GIT_AUTHOR_EMAIL: "owner@example.com",
      GIT_COMMITTER_NAME: "Policy Owner",
      GIT_COMMITTER_EMAIL: "owner@example.com",
    },
  }).trim();
}

/** The apply secrets, which only the apply and drift jobs (environment: production) receive. */
function targetEnv(): Record<string, string> {
  return {
    PULSAR_ADMIN_URL: pulsar.url,
    PULSAR_TOKEN: SUPER_TOKEN,
    NATS_URL: nats.url,
    NATS_USER: nats.auth.user,
    NATS_PASSWORD: nats.auth.password,
    NATS_SYS_USER: nats.sys.user,
    NATS_SYS_PASSWORD: nats.sys.password,
  };
}

/** One workflow step running the action, with the variables the runner sets. */
async function actionStep(
  command: string,
  sha: string,
  extra: Record<string, string> = {},
  now: Date = CLI_NOW,
): Promise<StepRun> {
  const run = await runActionStep({
    scratch,
    workspace: repo,
    sha,
    env: {
      INPUT_COMMAND: command,
      INPUT_POLICY_DIR: "policies",
      INPUT_GITHUB_TOKEN: GITHUB_TOKEN,
      GITHUB_API_URL: github.url,
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_REPOSITORY: "acme/policy",
      GITHUB_RUN_ID: "4242",
      ...extra,
    },
    now,
  });
  for (const secret of [GITHUB_TOKEN, SUPER_TOKEN, nats.auth.password, nats.sys.password]) {
    expect(run.log + run.summary + run.outputs).not.toContain(secret);
  }
  return run;
}

it("runs a scaffolded policy repository through pull request, merge, apply, drift and expiry", async () => {
  const init = await main(["init", repo], {
    cwd: scratch,
    now: () => CLI_NOW,
    config: loadConfig({}),
    stdout: new PassThrough(),
  });
  expect(init).toBe(0);
  git("init", "--quiet", "--initial-branch", "main");
  git("add", "--all");
  git("commit", "--quiet", "-m", "Start from scim-gitops init");

  // main as it is today is applied once, as the apply workflow does on the first push.
  const first = await actionStep("apply", git("rev-parse", "HEAD"), targetEnv());
  expect(first.code, first.log + first.summary).toBe(0);
  expect(pulsar.state.snapshot().namespaces["acme/payments"]?.namespace["bob@example.com"]).toBeDefined();

  // The pull request: bob leaves (deactivated) and a binding names a group the IdP has not pushed yet.
  git("checkout", "--quiet", "-b", "offboard-bob");
  const bobFile = join(repo, "policies/identities/users/bob-example-com.yaml");
  await writeFile(bobFile, (await readFile(bobFile, "utf8")).replace("active: true", "active: false"));
  const paymentsFile = join(repo, "policies/access/payments.yaml");
  await writeFile(
    paymentsFile,
    (await readFile(paymentsFile, "utf8")).replace(
      "bindings:\n",
      "bindings:\n  - group: payments-auditors\n    roles: [payments-writer]\n    expires: 2026-12-06\n",
    ),
  );
  git("commit", "--quiet", "-am", "Offboard bob; payments-auditors join");
  const base = git("rev-parse", "main");
  const head = git("rev-parse", "HEAD");
  github.addPullRequest(7, "Offboard bob");
  const event = join(scratch, "pull_request.json");
  await writeFile(
    event,
    JSON.stringify({
      action: "opened",
      number: 7,
      pull_request: { number: 7, base: { sha: base }, head: { sha: head } },
    }),
  );

  // The plan job: no target credentials at all, so the comment shows the offline access diff.
  const planStep = await actionStep("pr-plan", head, { GITHUB_EVENT_PATH: event });
  expect(planStep.code, planStep.log).toBe(0);
  expect(planStep.log).toMatch(
    /^::warning file=policies\/access\/payments\.yaml,line=\d+,col=\d+,title=scim-gitops validate%3A warning::.*payments-auditors/m,
  );
  const comments = () => github.comments.filter((comment) => comment.issueNumber === 7);
  expect(comments()).toHaveLength(1);
  const comment = comments()[0]!.body;
  expect(comment.startsWith(PR_PLAN_MARKER)).toBe(true);
  expect(comment).toContain("### Policy validation: passed");
  expect(comment).toMatch(/bob@example\.com/);
  expect(comment).toContain("acme/payments");
  expect(comment).toContain("No read-only target credentials");
  // The new binding's last day is a week away: the comment flags it with where it is written.
  expect(comment).toContain("### Expiring soon");
  expect(comment).toMatch(
    /\| group `payments-auditors` \| `payments-writer` \| `policies\/access\/payments\.yaml:\d+` \| 2026-12-06 \(in 7 days\) \|/,
  );
  expect(planStep.summary).toContain(comment.slice(PR_PLAN_MARKER.length + 1, 200));

  // A new push to the PR edits the same comment instead of adding another.
  const again = await actionStep("pr-plan", head, { GITHUB_EVENT_PATH: event });
  expect(again.code).toBe(0);
  expect(comments()).toHaveLength(1);

  // A token that may not comment (a fork's) leaves the check standing on its annotations and summary.
  const refused = await actionStep("pr-plan", head, {
    GITHUB_EVENT_PATH: event,
    INPUT_GITHUB_TOKEN: "ghs_readOnlyForkToken999999999",
  });
  expect(refused.code).toBe(0);
  expect(refused.log).toMatch(/^::warning::could not list the comments of #7 .*HTTP 401.*step summary$/m);
  expect(refused.log).not.toContain("ghs_readOnlyForkToken");
  expect(refused.summary).toContain("### Access diff");

  // With read-only credentials (here NATS's, as the workflow's NATS_READONLY_CREDS gives them) the plan shows.
  const withPlan = await actionStep("pr-plan", head, {
    GITHUB_EVENT_PATH: event,
    NATS_URL: nats.url,
    NATS_USER: nats.auth.user,
    NATS_PASSWORD: nats.auth.password,
  });
  expect(withPlan.code, withPlan.log).toBe(0);
  const planned = comments()[0]!.body;
  expect(comments()).toHaveLength(1);
  expect(planned).not.toContain("No read-only target credentials");
  expect(planned.slice(planned.indexOf("### scim-gitops plan"))).toMatch(/bob@example\.com/);

  // Merge, then the apply job on main: a plan from the merge commit, and that plan applied.
  git("checkout", "--quiet", "main");
  git("merge", "--quiet", "--no-ff", "-m", "Merge pull request #7", "offboard-bob");
  const apply = await actionStep("apply", git("rev-parse", "HEAD"), targetEnv());
  expect(apply.code, apply.log + apply.summary).toBe(0);
  expect(apply.summary).toMatch(/revoke bob@example\.com namespace acme\/payments/);
  expect(apply.summary).toContain("evidence: unloaded namespace acme/payments");
  expect(apply.summary).toContain("- evidence: bob@example.com: 0 live connections remain");
  expect(pulsar.state.snapshot().namespaces["acme/payments"]?.namespace["bob@example.com"]).toBeUndefined();

  // Someone grants bob access again behind the policy's back: the drift check fails and opens the issue.
  pulsar.state.grantNamespace("acme/payments", "bob@example.com", ["produce"]);
  const drift = await actionStep("drift", git("rev-parse", "HEAD"), targetEnv());
  expect(drift.code).toBe(1);
  expect(drift.outputs).toContain("drift=true");
  const driftIssues = () =>
    [...github.issues.values()].filter((issue) => issue.labels.includes(DRIFT_LABEL) && !issue.isPullRequest);
  expect(driftIssues()).toHaveLength(1);
  const issue = driftIssues()[0]!;
  expect(issue.state).toBe("open");
  expect(issue.body.startsWith(DRIFT_MARKER)).toBe(true);
  expect(issue.body).toContain("https://github.com/acme/policy/actions/runs/4242");
  expect(issue.body).toMatch(/revoke.*bob@example\.com.*acme\/payments/);

  // Still drifted the next time: the same issue is updated, not a second one opened.
  const stillDrifted = await actionStep("drift", git("rev-parse", "HEAD"), targetEnv());
  expect(stillDrifted.code).toBe(1);
  expect(driftIssues()).toHaveLength(1);

  // Re-applying main puts the cluster back; the next check finds no drift and closes the issue.
  expect((await actionStep("apply", git("rev-parse", "HEAD"), targetEnv())).code).toBe(0);
  const clean = await actionStep("drift", git("rev-parse", "HEAD"), targetEnv());
  expect(clean.code, clean.log + clean.summary).toBe(0);
  expect(clean.outputs).toContain("drift=false");
  expect(issue.state).toBe("closed");
  expect(github.comments.filter((each) => each.issueNumber === issue.number).at(-1)?.body).toMatch(
    /matching the policy/,
  );

  // The daily expiry check, the day after Carol's exception ended (and the auditors' binding before it).
  // Settings send such removals down the emergency path; the job pushes through the checkout's remote.
  const settingsFile = join(repo, "policies/settings.yaml");
  await writeFile(
    settingsFile,
    (await readFile(settingsFile, "utf8")).replace("expiry: false", "expiry: true"),
  );
  git("commit", "--quiet", "-am", "Expired bindings take the emergency path");
  gitIn(scratch, "init", "--quiet", "--bare", "--initial-branch=main", origin);
  git("remote", "add", "origin", origin);
  git("push", "--quiet", "origin", "main");
  const mainHead = git("rev-parse", "HEAD");
  const julyFirst = new Date("2027-07-01T05:41:00Z");
  const expire = await actionStep("expire", mainHead, { GITHUB_REF_NAME: "main" }, julyFirst);
  expect(expire.code, expire.log + expire.summary).toBe(0);
  expect(expire.outputs).toContain("expired=true");
  const proposals = github.pullsFrom("scim-gitops/expire");
  expect(proposals).toHaveLength(1);
  const proposal = proposals[0]!;
  expect(proposal).toMatchObject({ state: "open", labels: ["emergency-deprovision"] });
  expect(proposal.title).toBe("Remove 2 expired bindings");
  expect(proposal.body.startsWith(EXPIRE_MARKER)).toBe(true);
  expect(proposal.body).toContain("✅ Revocation-only: 1 person(s) lose");
  expect(proposal.body).toContain("nobody gains anything");
  expect(proposal.body).toMatch(
    /\| user `carol@example\.com` \| `payments-reader` \| `policies\/access\/payments\.yaml:\d+` \| 2027-06-30 \|/,
  );
  expect(proposal.body).toMatch(/carol@example\.com[\s\S]*acme\/payments/);
  // On the remote: main plus the removal of both bindings, and a policy that still validates.
  expect(gitIn(origin, "rev-parse", "scim-gitops/expire^")).toBe(mainHead);
  const edited = gitIn(origin, "show", "scim-gitops/expire:policies/access/payments.yaml");
  expect(edited).not.toMatch(/carol|payments-auditors/);
  expect(edited).toContain("- group: payments-engineers");
  git("fetch", "--quiet", "origin");
  git("checkout", "--quiet", "--force", "origin/scim-gitops/expire");
  const validate = await main(["validate", "--policies", "policies"], {
    cwd: repo,
    now: () => julyFirst,
    config: loadConfig({}),
    stdout: new PassThrough(),
  });
  expect(validate, "the proposed policy validates").toBe(0);
});
