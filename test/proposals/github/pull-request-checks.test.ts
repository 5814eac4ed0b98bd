/**
 * The App's `revocation-guard` and `access-diff` checks, posted on a PR's head against the stateful GitHub
 * fake (real bare repository, GitHub's rules, auto-merge and check runs). The PRs are a person's: branches
 * pushed straight to the fake, opened and labelled through the App's own PullRequestHost.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EMERGENCY_LABEL } from "../../../src/proposals/github/github-emergency-host.js";
import {
  ACCESS_DIFF_CHECK,
  PullRequestChecks,
  REVOCATION_GUARD_CHECK,
} from "../../../src/proposals/github/pull-request-checks.js";
import type { PolicyRepo } from "../../../src/repos/policy-repo.js";
import type { FakeCheckRun } from "../../fakes/github/fake-github-state.js";
import { pushDirectly } from "../../repos/github/github-fixture.js";
import type { GitHubProposals } from "./github-proposals-fixture.js";
import { openGitHubProposals } from "./github-proposals-fixture.js";

const NOW = new Date("2026-11-29T02:15:00.000Z");
const READONLY_FILE = "policies/identities/groups/payments-readonly.yaml";
const ACCESS_FILE = "policies/access/payments.yaml";
const BOB_FILE = "policies/identities/users/bob-example-com.yaml";

let world: GitHubProposals;

beforeEach(async () => {
  world = await openGitHubProposals();
  world.fake.state.rules.set("main", { requiredChecks: [REVOCATION_GUARD_CHECK] });
});

afterEach(async () => {
  expect(world.fake.mismatches).toEqual([]);
  await world.close();
});

const checksOn = (repo: PolicyRepo = world.repo) =>
  new PullRequestChecks({ repo, pulls: world.pulls, policyDir: "policies", now: () => NOW });

/** A person's branch from main with `files` changed, and a PR from it; labelled when `labels` say so. */
async function personsPullRequest(
  branch: string,
  files: Record<string, string>,
  labels: readonly string[] = [],
): Promise<{ number: number; head: string }> {
  const head = await world.repo.commitFiles({
    branch,
    parent: world.main,
    changes: Object.entries(files).map(([path, content]) => ({ path, content })),
    message: `${branch}\n`,
    update: { kind: "create" },
  });
  const pull = await world.pulls.open({ head: branch, base: "main", title: branch, body: "" });
  await world.pulls.addLabels(pull.number, labels);
  return { number: pull.number, head };
}

function runsOn(sha: string): Map<string, FakeCheckRun> {
  return new Map(
    world.fake.state.checkRuns.filter((run) => run.headSha === sha).map((run) => [run.name, run]),
  );
}

const aliceLeavesReadonly = (readonly: string) => ({
  [READONLY_FILE]: readonly.replace("members:\n  - alice@example.com\n", "members: []\n"),
});

describe("the revocation-guard and access-diff checks", () => {
  it("passes an ordinary PR that grants (a person reviews it) and shows the grant in the access diff", async () => {
    const readonly = (await world.repo.readFile("main", READONLY_FILE)) ?? "";
    const { number, head } = await personsPullRequest("person/lift-deny", aliceLeavesReadonly(readonly));
    const result = await checksOn().check(number);
    expect(result).toEqual({ guard: "success", headSha: head, posted: true });

    const runs = runsOn(head);
    expect(runs.get(REVOCATION_GUARD_CHECK)).toMatchObject({ status: "completed", conclusion: "success" });
    const diff = runs.get(ACCESS_DIFF_CHECK);
    expect(diff).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(diff?.title).toBe("Grants access: 1 person gains 1 permission; 1 person loses 1 permission.");
    expect(diff?.summary).toContain("| **alice@example.com (Alice Example)");
    expect(diff?.summary).toContain("**gains**");
  });

  it("fails an emergency-labelled PR that grants, disables its armed auto-merge, and it is never merged", async () => {
    const readonly = (await world.repo.readFile("main", READONLY_FILE)) ?? "";
    const { number, head } = await personsPullRequest("person/sneaky", aliceLeavesReadonly(readonly), [
      EMERGENCY_LABEL,
    ]);
    const pinned = { number, sha: head, title: "sneaky", message: "" };
    expect(await world.pulls.enableAutoMerge(pinned)).toBe("armed");
    expect(world.fake.pulls.get(number)?.autoMerge).toBeDefined();

    const result = await checksOn().check(number);
    expect(result).toEqual({ guard: "failure", headSha: head, posted: true });
    const guard = runsOn(head).get(REVOCATION_GUARD_CHECK);
    expect(guard).toMatchObject({
      conclusion: "failure",
      title: `Labelled ${EMERGENCY_LABEL} but not revocation-only`,
    });
    expect(guard?.summary).toContain("it grants 1 permission(s) to 1 person(s)");
    expect(guard?.summary).toContain("auto-merge is disabled");
    expect(world.fake.pulls.get(number)).toMatchObject({ state: "open", autoMerge: undefined });

    // Nothing the App or GitHub does next merges it: a pinned merge is refused on the failing check.
    await expect(world.pulls.merge(pinned)).rejects.toThrow(/not mergeable .*revocation-guard/);
    expect(world.fake.pulls.get(number)?.state).toBe("open");
    expect(world.fake.pulls.get(number)?.mergeCommit).toBeUndefined();
    expect(await world.repo.head("main")).toBe(world.main);
  });

  it("passes an emergency-labelled revocation, and GitHub's armed auto-merge then carries it", async () => {
    const bob = (await world.repo.readFile("main", BOB_FILE)) ?? "";
    const { number, head } = await personsPullRequest(
      "person/revoke-bob",
      { [BOB_FILE]: bob.replace("active: true", "active: false") },
      [EMERGENCY_LABEL],
    );
    expect(await world.pulls.enableAutoMerge({ number, sha: head, title: "Revoke Bob", message: "" })).toBe(
      "armed",
    );
    const result = await checksOn().check(number);
    expect(result).toEqual({ guard: "success", headSha: head, posted: true });
    expect(runsOn(head).get(REVOCATION_GUARD_CHECK)?.summary).toContain("✅ Proven revocation-only");
    expect(runsOn(head).get(ACCESS_DIFF_CHECK)).toMatchObject({ conclusion: "success" });
    const pull = world.fake.pulls.get(number);
    expect(pull?.state).toBe("closed");
    expect(await world.repo.head("main")).toBe(pull?.mergeCommit);
  });

  it("fails a head whose policy does not load, naming every problem at file:line:col", async () => {
    const access = (await world.repo.readFile("main", ACCESS_FILE)) ?? "";
    const { number, head } = await personsPullRequest("person/typo", {
      [ACCESS_FILE]: access.replace("roles: [payments-writer]", "roles: [payments-writr]"),
    });
    const result = await checksOn().check(number);
    expect(result.guard).toBe("failure");
    const guard = runsOn(head).get(REVOCATION_GUARD_CHECK);
    expect(guard?.title).toMatch(/^The policy at this head does not load: \d+ error\(s\)$/);
    expect(guard?.summary).toMatch(
      /❌ error \| `policies\/access\/payments\.yaml:\d+:\d+` \| .*payments-writr/,
    );
    expect(runsOn(head).get(ACCESS_DIFF_CHECK)?.summary).toContain("the diff covers what could be loaded");
  });

  it("posts nothing for a head that is no longer the PR's head: the newer head gets its own checks", async () => {
    const bob = (await world.repo.readFile("main", BOB_FILE)) ?? "";
    const branch = "person/moving";
    const { number, head } = await personsPullRequest(branch, {
      [BOB_FILE]: bob.replace("active: true", "active: false"),
    });
    // The person pushes again while the check reads the head's policy.
    let pushed: string | undefined;
    const racing: PolicyRepo = Object.create(world.repo, {
      readFiles: {
        value: async (ref: string, dir: string) => {
          const files = await world.repo.readFiles(ref, dir);
          if (ref === head && pushed === undefined) {
            pushed = await pushDirectly(world.fake, branch, "policies/README.md", "later\n");
          }
          return files;
        },
      },
    }) as PolicyRepo;
    const result = await checksOn(racing).check(number);
    expect(result).toEqual({ guard: "success", headSha: head, posted: false });
    expect(runsOn(head).size).toBe(0);

    const again = await checksOn().check(number);
    expect(again).toEqual({ guard: "success", headSha: pushed, posted: true });
    expect(runsOn(pushed ?? "").size).toBe(2);
  });
});
