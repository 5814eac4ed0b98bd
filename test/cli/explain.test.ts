import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliRun } from "../plan/cli-fixture.js";
import { git } from "../../src/repos/git/git.js";

const POLICIES = fileURLToPath(new URL("../policy/fixtures/team", import.meta.url));

function explain(...args: string[]): Promise<CliRun> {
  return runCli(["explain", ...args, "--policies", POLICIES], { cwd: process.cwd() });
}

/** Absolute fixture paths differ between machines; snapshots show them relative. */
const portable = (text: string): string => text.replaceAll(POLICIES, "policies");

describe("scim-gitops explain", () => {
  it("prints a person's access per target with binding → role → file:line", async () => {
    const result = await explain("alice@example.com");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("namespace acme/payments: consume, produce");
    expect(result.stdout).toMatch(
      /because group:payments-engineers → payments-writer \(.*payments\.yaml:\d+ →/,
    );
    await expect(portable(result.stdout)).toMatchFileSnapshot("__snapshots__/explain-alice.txt");
  });

  it("renders markdown and json", async () => {
    const markdown = await explain("carol@example.com", "--format", "markdown");
    expect(markdown.code).toBe(0);
    await expect(portable(markdown.stdout)).toMatchFileSnapshot("__snapshots__/explain-carol.md");
    const json = await explain("CAROL@example.com", "--json");
    const parsed = JSON.parse(json.stdout) as { userName: string; bindings: { expires?: string }[] };
    expect(parsed.userName).toBe("carol@example.com");
    expect(parsed.bindings.some((binding) => binding.expires === "2026-12-31")).toBe(true);
  });

  it("says clearly that an inactive person holds nothing and what apply revokes", async () => {
    const result = await explain("dave@example.com");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("dave@example.com (Dave Gone): inactive: no access");
    expect(result.stdout).toContain("Revoked on apply: pulsar dave@example.com, nats dave@example.com");
    await expect(portable(result.stdout)).toMatchFileSnapshot("__snapshots__/explain-dave.txt");
  });

  it("finds a person by a former userName and says so", async () => {
    const result = await explain("robert@example.com");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"robert@example.com" is a former userName of this person');
    expect(result.stdout).toContain("Revoked on apply: pulsar robert@example.com, nats robert@example.com");
  });

  it("explains that bindings never grant a protected principal", async () => {
    const result = await explain("admin");
    expect(result.stdout).toContain("protected principal: bindings never grant it");
  });

  it("exits 1 for an unknown person with a hint", async () => {
    const result = await explain("alicia@example.com");
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain('no user "alicia@example.com"');
    expect(result.stderr).toContain("Check the spelling");
    const close = await explain("alice");
    expect(close.stderr).toContain("Did you mean: alice@example.com?");
  });

  it("refuses a call without exactly one userName", async () => {
    const result = await explain();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("scim-gitops explain <userName>");
  });
});

const AUTHOR = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
};

const ZOE = `id: 5d0e6f4a-0000-4000-8000-00000000000e
userName: zoe@example.com
displayName: Zoe Example
active: true
emails:
  - zoe@example.com
`;

/**
 * A project directory as `npm start` leaves it: the bundled policies on disk, and the bot's repository under
 * .scim-gitops/policy-repo whose branch scim-gitops/sync holds a person the IdP pushed since.
 */
let project: string;
let botRepo: string;

async function commitAll(repo: string, message: string): Promise<void> {
  await git(["add", "-A"], { cwd: repo });
  await git(["commit", "-q", "-m", message], { cwd: repo, env: AUTHOR });
}

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "scim-gitops-explain-"));
  await cp(POLICIES, join(project, "policies"), { recursive: true });
  botRepo = join(project, ".scim-gitops/policy-repo");
  await mkdir(botRepo, { recursive: true });
  await git(["init", "-q", "-b", "main"], { cwd: botRepo });
  await writeFile(join(botRepo, "README.md"), "no policy yet\n");
  await commitAll(botRepo, "empty repository");
  await git(["tag", "empty"], { cwd: botRepo });
  await cp(POLICIES, join(botRepo, "policies"), { recursive: true });
  await commitAll(botRepo, "example policy");
  await git(["checkout", "-q", "-b", "scim-gitops/sync"], { cwd: botRepo });
  await writeFile(join(botRepo, "policies/identities/users/zoe-example-com.yaml"), ZOE);
  await commitAll(botRepo, "Sync 1 SCIM operation into identity files");
  await git(["checkout", "-q", "main"], { cwd: botRepo });
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

function explainIn(cwd: string, ...args: string[]): Promise<CliRun> {
  return runCli(["explain", ...args], { cwd });
}

describe("scim-gitops explain --repo PATH --rev REV", () => {
  it("reads the policy at a revision of a git repository, not the directory on disk", async () => {
    const result = await explainIn(
      project,
      "zoe@example.com",
      "--repo",
      ".scim-gitops/policy-repo",
      "--rev",
      "scim-gitops/sync",
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("zoe@example.com (Zoe Example): active");
    const onDisk = await explainIn(project, "zoe@example.com");
    expect(onDisk.code).toBe(1);
  });

  it("shows grants with the repository's file:line provenance", async () => {
    const result = await explainIn(botRepo, "alice@example.com", "--rev", "main");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "because group:payments-engineers → payments-writer (policies/access/payments.yaml:",
    );
  });

  it("reads HEAD when only --repo is given", async () => {
    const result = await explainIn(project, "zoe@example.com", "--repo", botRepo);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `no user "zoe@example.com" in policies/identities/users at HEAD of ${botRepo}.`,
    );
    expect(result.stderr).not.toContain("--policies DIR (default policies)");
  });

  it("names the fix for a revision that does not exist or holds no policy", async () => {
    const missing = await explainIn(project, "alice@example.com", "--repo", botRepo, "--rev", "nope");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      `cannot read revision "nope" of ${botRepo}: name a commit, branch or tag`,
    );
    const empty = await explainIn(project, "alice@example.com", "--repo", botRepo, "--rev", "empty");
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain(`empty of ${botRepo} has no policies/ directory: pass --policies DIR`);
  });
});

describe("scim-gitops explain for a person only the bot's repository knows", () => {
  it("says it read --policies DIR and, in the project, how to read the embedded repository", async () => {
    const result = await explainIn(project, "zoe@example.com");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no user "zoe@example.com" in policies/identities/users.');
    expect(result.stderr).toContain(
      "explain reads policies/, the --policies DIR (default policies), which should be a checkout of the policy repository.",
    );
    expect(result.stderr).toContain(
      "scim-gitops explain zoe@example.com --repo .scim-gitops/policy-repo --rev main",
    );
  });

  it("points at --repo PATH --rev REV where there is no embedded repository", async () => {
    const elsewhere = join(project, "elsewhere");
    await mkdir(elsewhere);
    const result = await explainIn(elsewhere, "zoe@example.com", "--policies", join(project, "policies"));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("which should be a checkout of the policy repository");
    expect(result.stderr).toContain("To read a git repository instead, pass --repo PATH --rev REV.");
    expect(result.stderr).not.toContain(".scim-gitops/policy-repo");
  });
});
