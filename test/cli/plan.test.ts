import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SUPER_TOKEN } from "../targets/pulsar/fixture.js";
import { runCli, useSeededWorld } from "../plan/cli-fixture.js";

const world = useSeededWorld();

describe("scim-gitops plan", () => {
  it("prints every change with its reason, as text", async () => {
    const run = await world.run(["plan"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatchSnapshot();
    expect(world.fake.writes()).toEqual([]);
  });

  it("prints markdown for a PR comment", async () => {
    const run = await world.run(["plan", "--format", "markdown"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatchSnapshot();
  });

  it("exits 2 with --detailed-exitcode when there are changes, 0 once applied", async () => {
    expect((await world.run(["plan", "--detailed-exitcode"])).code).toBe(2);
    expect((await world.run(["apply"])).code).toBe(0);
    const after = await world.run(["plan", "--detailed-exitcode"]);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain("No changes: the targets match the policy.");
  });

  it("saves the plan as JSON with the policy's git tree hash and the actual state's fingerprint", async () => {
    const run = await world.run(["plan", "--out", "plan.json"]);
    expect(run.stderr).toContain("Saved the plan to plan.json");
    const saved = JSON.parse(await readFile(join(world.root, "plan.json"), "utf8"));
    expect(saved.formatVersion).toBe(1);
    expect(saved.createdAt).toBe("2026-11-29T02:00:00.000Z");
    expect(saved.targets[0].actualFingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    const git = (...args: string[]): string =>
      execFileSync("git", args, { cwd: world.root, encoding: "utf8" }).trim();
    git("init", "-q");
    git("add", "policies");
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "policy");
    expect(saved.policyTree).toBe(git("rev-parse", "HEAD:policies"));
    const json = await world.run(["plan", "--format", "json"]);
    expect(JSON.parse(json.stdout)).toEqual(saved);
  });

  it("skips an unconfigured target with a note, and refuses one named on the command line", async () => {
    const skipped = await runCli(["plan"], { cwd: world.root, env: {} });
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toContain(
      "note: skipping pulsar: not configured (set PULSAR_ADMIN_URL and PULSAR_TOKEN",
    );
    const named = await runCli(["plan", "--target", "pulsar"], { cwd: world.root, env: {} });
    expect(named.code).toBe(1);
    expect(named.stderr).toContain("--target pulsar is not configured: set PULSAR_ADMIN_URL");
    const unknown = await world.run(["plan", "--target", "kafka"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("--target kafka is not known");
  });

  it("refuses a policy with validation errors and reads nothing", async () => {
    await writeFile(
      join(world.root, "policies/access/broken.yaml"),
      "bindings:\n  - group: payments-engineers\n    roles: [no-such-role]\n",
    );
    const run = await world.run(["plan"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("policies/access/broken.yaml:");
    expect(run.stderr).toContain("nothing was planned");
    expect(world.fake.log).toEqual([]);
  });

  it("says to use a superuser token when the broker refuses, without showing the token", async () => {
    const wrong = "eyJhbGciOiJIUzI1NiJ9.wrong-token.s3cr3t";
    const run = await runCli(["plan"], {
      cwd: world.root,
      env: { PULSAR_ADMIN_URL: world.fake.url, PULSAR_TOKEN: wrong },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "Authentication required (insufficient rights: use a superuser token in PULSAR_TOKEN)",
    );
    expect(`${run.stdout}${run.stderr}`).not.toContain(wrong);
    expect(`${run.stdout}${run.stderr}`).not.toContain(SUPER_TOKEN);
  });

  it("reads the token from PULSAR_TOKEN_FILE", async () => {
    await writeFile(join(world.root, "token"), `${SUPER_TOKEN}\n`);
    const run = await runCli(["plan"], {
      cwd: world.root,
      env: { PULSAR_ADMIN_URL: world.fake.url, PULSAR_TOKEN_FILE: join(world.root, "token") },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("pulsar: 1 to revoke, 1 to update, 4 to grant");
  });

  it("says which URL it cannot reach when the broker is down", async () => {
    const url = world.fake.url;
    await world.fake.close();
    const run = await runCli(["plan"], {
      cwd: world.root,
      env: { PULSAR_ADMIN_URL: url, PULSAR_TOKEN: SUPER_TOKEN },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot reach the Pulsar admin API at ${url}`);
    expect(run.stderr).toContain("check PULSAR_ADMIN_URL and that the broker is up");
  });
});
