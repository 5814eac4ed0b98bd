import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli, type CliRun } from "../plan/cli-fixture.js";
import { git, gitText } from "../../src/repos/git/git.js";
import { renderGroupFile, renderUserFile } from "../../src/policy/identities/identity-file.js";
import type { GroupFileFields, UserFileFields } from "../../src/policy/identities/identity-file.js";

const FIXTURE = fileURLToPath(new URL("../policy/fixtures/team", import.meta.url));
const AUTHOR = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
};

let repo: string;
const revs: Record<string, string> = {};

async function commit(message: string): Promise<string> {
  await git(["add", "-A"], { cwd: repo });
  await git(["commit", "-q", "--allow-empty", "-m", message], { cwd: repo, env: AUTHOR });
  return gitText(["rev-parse", "HEAD"], { cwd: repo });
}

async function editUser(slug: string, change: (fields: UserFileFields) => UserFileFields): Promise<void> {
  const path = join(repo, "policies/identities/users", `${slug}.yaml`);
  const text = await readFile(path, "utf8");
  await writeFile(path, renderUserFile(text, change(parse(text) as UserFileFields)));
}

async function editGroup(slug: string, change: (fields: GroupFileFields) => GroupFileFields): Promise<void> {
  const path = join(repo, "policies/identities/groups", `${slug}.yaml`);
  const text = await readFile(path, "utf8");
  await writeFile(path, renderGroupFile(text, change(parse(text) as GroupFileFields)));
}

function diff(...args: string[]): Promise<CliRun> {
  return runCli(["diff", ...args], { cwd: repo });
}

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), "scim-gitops-diff-"));
  await git(["init", "-q", "-b", "main"], { cwd: repo });
  await writeFile(join(repo, "README.md"), "policy repository\n");
  revs.empty = await commit("empty repository");
  await cp(FIXTURE, join(repo, "policies"), { recursive: true });
  revs.initial = await commit("example policy");
  await editUser("alice-example-com", (alice) => ({ ...alice, active: false }));
  revs.deactivated = await commit("deactivate alice");
  await editGroup("platform", (platform) => ({
    ...platform,
    members: [...platform.members, "carol@example.com"],
  }));
  revs.joined = await commit("carol joins platform");
  await writeFile(join(repo, "policies/access/platform.yaml"), "roles: [not, a, map\n");
  revs.broken = await commit("break a file");
});

afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

describe("scim-gitops diff", () => {
  it("shows a deactivation as revocation-only", async () => {
    const result = await diff(revs.initial!, revs.deactivated!);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Revocation-only: 1 person loses \d+ permissions; nobody gains anything\./,
    );
    await expect(result.stdout).toMatchFileSnapshot("__snapshots__/diff-deactivation.txt");
    const json = JSON.parse((await diff(revs.initial!, revs.deactivated!, "--json")).stdout) as {
      revocationOnly: boolean;
      people: { userName: string; status: { after: string } }[];
    };
    expect(json.revocationOnly).toBe(true);
    expect(json.people).toEqual([
      expect.objectContaining({
        userName: "alice@example.com",
        status: expect.objectContaining({ after: "inactive" }),
      }),
    ]);
  });

  it("shows adding a member to a group as a grant, in markdown for the PR body", async () => {
    const result = await diff(revs.deactivated!, revs.joined!, "--format", "markdown");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("⚠️ Grants access: 1 person gains 1 permission.");
    expect(result.stdout).toContain("**gains** tenant acme: tenant-admin");
    await expect(result.stdout).toMatchFileSnapshot("__snapshots__/diff-membership.md");
  });

  it("prints nothing to review between a revision and itself", async () => {
    const result = await diff("HEAD~1", "HEAD~1");
    expect(result).toMatchObject({ code: 0, stdout: "No access changes.\n" });
  });

  it("counts a revision without the policy directory as granting nothing", async () => {
    const result = await diff(revs.empty!, revs.initial!);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("has no policies/ directory");
    expect(result.stdout).toMatch(/^Grants access: 3 people gain/);
  });

  it("reads another repository and policy directory when told to", async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), "scim-gitops-cwd-"));
    try {
      const args = ["diff", revs.initial!, revs.deactivated!, "--repo", repo, "--policies", "policies"];
      const run = await runCli(args, { cwd: elsewhere });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("Revocation-only");
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it("exits 1 and names the file when the head revision's policy has errors", async () => {
    const result = await diff(revs.joined!, revs.broken!);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/policies\/access\/platform\.yaml:\d+:\d+: error/);
  });

  it("exits 1 with what to do for a revision that does not exist", async () => {
    const result = await diff("main", "no-such-branch");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot read revision "no-such-branch"');
  });
});
