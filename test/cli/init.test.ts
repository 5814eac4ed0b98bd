import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { removeDir, runCli } from "../plan/cli-fixture.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "scim-gitops-init-"));
});
afterEach(() => removeDir(dir));

describe("scim-gitops init", () => {
  it("scaffolds a policy repository that validates, with editor hints and workflows wired to the action", async () => {
    const init = await runCli(["init", "repo", "--action", "acme/scim-gitops@0123abc"], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    const root = join(dir, "repo");
    expect((await readdir(join(root, ".github/workflows"))).sort()).toEqual([
      "policy-apply.yml",
      "policy-drift.yml",
      "policy-expire.yml",
      "policy-plan.yml",
    ]);
    const expire = await readFile(join(root, ".github/workflows/policy-expire.yml"), "utf8");
    expect(expire).toContain("uses: acme/scim-gitops@0123abc");
    expect(expire).toContain("command: expire");
    expect(expire).toMatch(/schedule:\n\s+- cron:/);
    const plan = await readFile(join(root, ".github/workflows/policy-plan.yml"), "utf8");
    expect(plan).toContain("uses: acme/scim-gitops@0123abc");
    expect(plan).toContain("command: pr-plan");
    expect(plan).not.toContain("pull_request_target");
    const settings = JSON.parse(await readFile(join(root, ".vscode/settings.json"), "utf8")) as {
      "yaml.schemas": Record<string, string[]>;
    };
    expect(settings["yaml.schemas"]["./policies/user.schema.json"]).toEqual([
      "policies/identities/users/*.yaml",
    ]);
    // The example policy is copied byte for byte, schema hints included.
    expect(await readFile(join(root, "policies/settings.yaml"), "utf8")).toBe(
      await readFile("policies/settings.yaml", "utf8"),
    );
    const validate = await runCli(["validate", "--policies", "policies"], { cwd: root });
    expect(validate.code, validate.stdout).toBe(0);
  });

  it("refuses to overwrite an existing file and writes nothing, unless --force", async () => {
    await writeFile(join(dir, "keep.txt"), "mine");
    const first = await runCli(["init"], { cwd: dir });
    expect(first.code).toBe(0);
    const edited = "# my settings\n";
    await writeFile(join(dir, "policies/settings.yaml"), edited);
    const again = await runCli(["init"], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has .*policies\/.* and \d+ more: nothing was written.*--force/);
    expect(await readFile(join(dir, "policies/settings.yaml"), "utf8")).toBe(edited);
    const forced = await runCli(["init", "--force"], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(await readFile(join(dir, "policies/settings.yaml"), "utf8")).not.toBe(edited);
    expect(await readFile(join(dir, "keep.txt"), "utf8")).toBe("mine");
  });

  it("names another policy directory in the workflows", async () => {
    expect((await runCli(["init", "--policies", "access-policy"], { cwd: dir })).code).toBe(0);
    const apply = await readFile(join(dir, ".github/workflows/policy-apply.yml"), "utf8");
    expect(apply).toContain('"access-policy/**"');
    expect(apply).toContain("policy-dir: access-policy");
    expect((await runCli(["init", "--policies", "../x"], { cwd: dir })).stderr).toMatch(
      /relative path inside/,
    );
  });
});
