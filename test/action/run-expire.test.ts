/**
 * The action's `expire` command against a real git remote (a bare repository the fake GitHub reads its
 * branches from) and the stateful issues/pulls fake: one pull request from scim-gitops/expire, rebuilt
 * only when its change moves, labelled for the emergency path only when settings and the guard allow.
 */
import { execFileSync } from "node:child_process";
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXPIRE_MARKER } from "../../src/action/expiry-pull-request.js";
import { startFakeGitHubIssues, type FakeGitHubIssues } from "../fakes/github-issues/server.js";
import { removeDir } from "../plan/cli-fixture.js";
import { runActionStep } from "./support/action-step.js";

const TOKEN = "ghs_expireJobToken0123456789abcdef";
const NOW = new Date("2027-07-01T05:41:00Z");
const BRANCH = "scim-gitops/expire";

let scratch: string;
let origin: string;
let workspace: string;
let github: FakeGitHubIssues;

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Owner",
      GIT_AUTHOR_EMAIL: "owner@example.com",
      GIT_COMMITTER_NAME: "Owner",
      GIT_COMMITTER_EMAIL: "owner@example.com",
    },
  }).trim();
}

beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), "scim-gitops-expire-action-"));
  origin = join(scratch, "origin.git");
  workspace = join(scratch, "checkout");
  git(scratch, "init", "--quiet", "--bare", "--initial-branch=main", origin);
  git(scratch, "init", "--quiet", "--initial-branch=main", workspace);
  await cp("policies", join(workspace, "policies"), { recursive: true });
  git(workspace, "add", "--all");
  git(workspace, "commit", "--quiet", "-m", "policy");
  git(workspace, "remote", "add", "origin", origin);
  git(workspace, "push", "--quiet", "origin", "main");
  github = await startFakeGitHubIssues({ owner: "acme", repo: "policy", token: TOKEN, repoDir: origin });
});
afterEach(async () => {
  await github?.close();
  await removeDir(scratch);
});

/** A change pushed to main, as a person merging a pull request would. */
async function onMain(edit: (settings: string) => string): Promise<void> {
  checkout();
  const path = join(workspace, "policies/settings.yaml");
  await writeFile(path, edit(await readFile(path, "utf8")));
  git(workspace, "commit", "--quiet", "-am", "settings");
  git(workspace, "push", "--quiet", "origin", "main");
}

/** What actions/checkout gives each run: main's tip, a clean work tree. */
function checkout(): void {
  git(workspace, "fetch", "--quiet", "origin");
  git(workspace, "checkout", "--quiet", "main");
  git(workspace, "reset", "--quiet", "--hard", "origin/main");
}

async function expireStep(env: Record<string, string> = {}) {
  checkout();
  const run = await runActionStep({
    scratch,
    workspace,
    sha: git(workspace, "rev-parse", "HEAD"),
    env: {
      INPUT_COMMAND: "expire",
      INPUT_POLICY_DIR: "policies",
      INPUT_GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORY: "acme/policy",
      GITHUB_REF_NAME: "main",
      GITHUB_RUN_ID: "77",
      ...env,
    },
    now: NOW,
  });
  expect(run.log + run.outputs + run.summary).not.toContain(TOKEN);
  return run;
}

const branchHead = () => git(origin, "rev-parse", `refs/heads/${BRANCH}`);
const open = () => github.pullsFrom(BRANCH).filter((pull) => pull.state === "open");

describe("the action's expire command", () => {
  it("opens one pull request holding only the removal, which waits for review by default", async () => {
    const run = await expireStep();
    expect(run.code, run.log + run.summary).toBe(0);
    expect(open()).toHaveLength(1);
    const pull = open()[0]!;
    expect(pull.pull).toMatchObject({ head: BRANCH, base: "main" });
    expect(pull.title).toBe("Remove the expired binding of user carol@example.com");
    expect(pull.labels).toEqual([]);
    expect(pull.body.startsWith(EXPIRE_MARKER)).toBe(true);
    expect(pull.body).toContain("✅ Revocation-only: 1 person(s) lose");
    expect(pull.body).toContain("**Waits for review.** Settings `emergency.expiry` is not true");
    expect(pull.body).toMatch(/carol@example\.com[\s\S]*acme\/payments/);
    expect(run.outputs).toContain("expired=true");
    expect(run.outputs).toContain(`pull-request=${pull.number}`);
    expect(run.log).toMatch(
      /::notice::opened pull request #\d+ removing 1 expired binding\(s\); it waits for review/,
    );

    // The branch is main plus the removal, one commit, nothing else.
    const main = git(origin, "rev-parse", "main");
    expect(git(origin, "rev-parse", `${BRANCH}^`)).toBe(main);
    expect(git(origin, "diff", "--name-only", main, BRANCH)).toBe("policies/access/payments.yaml");
    expect(git(origin, "show", `${BRANCH}:policies/access/payments.yaml`)).not.toContain("carol");
    expect(git(origin, "log", "-1", "--format=%an%n%B", BRANCH)).toMatch(
      /^github-actions\[bot\]\nRemove the expired binding of user carol@example\.com[\s\S]*Revocation-Only: proven\nExpiry-Route: review/,
    );
  });

  it("leaves the branch alone when a later run finds the same change, and edits the same pull request", async () => {
    await expireStep();
    const head = branchHead();
    const again = await expireStep();
    expect(again.code).toBe(0);
    expect(branchHead()).toBe(head);
    expect(again.log).toContain("updated pull request");
    expect(again.log).toContain("the branch already held this change");
    expect(github.pullsFrom(BRANCH)).toHaveLength(1);
  });

  it("labels it emergency-deprovision once settings say so, rebuilt on the new main, and unlabels it when they stop", async () => {
    await expireStep();
    await onMain((settings) => settings.replace("expiry: false", "expiry: true"));
    const emergency = await expireStep();
    expect(emergency.code, emergency.log).toBe(0);
    expect(git(origin, "rev-parse", `${BRANCH}^`)).toBe(git(origin, "rev-parse", "main"));
    expect(open()[0]!.labels).toEqual(["emergency-deprovision"]);
    expect(open()[0]!.body).toContain("**Emergency path.** Labelled `emergency-deprovision`");
    expect(git(origin, "log", "-1", "--format=%B", BRANCH)).toContain("Expiry-Route: emergency");

    await onMain((settings) => settings.replace("expiry: true", "expiry: false"));
    await expireStep();
    expect(open()[0]!.labels).toEqual([]);
    expect(github.pullsFrom(BRANCH)).toHaveLength(1);
  });

  it("holds it for review when the mass-revocation guard would, whatever emergency.expiry says", async () => {
    await onMain((settings) =>
      settings
        .replace("expiry: false", "expiry: true")
        .replace("maxRevocations: 25%", "maxRevocations: 0")
        .replace("minRevocations: 5", "minRevocations: 0"),
    );
    const run = await expireStep();
    expect(run.code, run.log).toBe(0);
    expect(open()[0]!.labels).toEqual([]);
    expect(open()[0]!.body).toMatch(/\*\*Waits for review\.\*\* Held for review: 1 of \d+ pulsar principals/);
  });

  it("closes the pull request once nothing has expired on main any more", async () => {
    await expireStep();
    const number = open()[0]!.number;
    checkout();
    git(workspace, "merge", "--quiet", "--no-ff", "-m", "Merge the expiry removal", `origin/${BRANCH}`);
    git(workspace, "push", "--quiet", "origin", "main");
    const run = await expireStep();
    expect(run.code, run.log).toBe(0);
    expect(run.outputs).toContain("expired=false");
    expect(github.issues.get(number)?.state).toBe("closed");
    expect(github.comments.at(-1)?.body).toMatch(
      /no binding on `[0-9a-f]{12}` has passed its `expires` date/,
    );
    expect(open()).toEqual([]);
  });

  it("refuses to run without a token, and says what to give it", async () => {
    const run = await expireStep({ INPUT_GITHUB_TOKEN: "" });
    expect(run.code).toBe(1);
    expect(run.log).toContain("::error::expire opens a pull request: give the action a github-token");
    expect(git(origin, "branch", "--list", BRANCH)).toBe("");
  });

  it("fails with the reason when the push is refused, before any pull request", async () => {
    git(workspace, "remote", "set-url", "--push", "origin", join(scratch, "missing.git"));
    const run = await expireStep();
    expect(run.code).toBe(1);
    expect(run.log).toMatch(
      /^::error::scim-gitops action: could not push scim-gitops\/expire to origin: .*contents: write/m,
    );
    expect(github.pullsFrom(BRANCH)).toEqual([]);
  });
});
