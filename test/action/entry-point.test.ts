/** dist/action/main.js as action.yml runs it: a separate node process, its exit code the step's result. */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { useSeededWorld } from "../plan/cli-fixture.js";
import { SUPER_TOKEN } from "../targets/pulsar/fixture.js";

const ENTRY = resolve(import.meta.dirname, "../../dist/action/main.js");
const world = useSeededWorld();

async function runEntry(
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; summary: string }> {
  const dir = await mkdtemp(join(world.root, "runner-"));
  const summary = join(dir, "summary.md");
  await writeFile(summary, "");
  const base = {
    PATH: process.env.PATH ?? "",
    GITHUB_REPOSITORY: "acme/policy",
    GITHUB_SHA: "a".repeat(40),
    GITHUB_WORKSPACE: world.root,
    GITHUB_STEP_SUMMARY: summary,
    RUNNER_TEMP: dir,
    PULSAR_ADMIN_URL: world.fake.url,
    PULSAR_TOKEN: SUPER_TOKEN,
  };
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [ENTRY], { env: { ...base, ...env } });
    return { code: 0, stdout, summary: await readFile(summary, "utf8") };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", summary: await readFile(summary, "utf8") };
  }
}

describe("the built action entry point", () => {
  it("runs drift against the cluster and exits 1 on drift, with the plan in the step summary", async () => {
    const run = await runEntry({ INPUT_COMMAND: "drift" });
    expect(run.code).toBe(1);
    expect(run.summary).toContain("## scim-gitops: drift check");
    expect(run.summary).toContain("revoke");
    expect(run.stdout).toContain("no github-token was given");
    expect(run.stdout + run.summary).not.toContain(SUPER_TOKEN);
  });

  it("exits 0 after an apply that made every change", async () => {
    expect((await runEntry({ INPUT_COMMAND: "apply" })).code).toBe(0);
    expect((await runEntry({ INPUT_COMMAND: "drift" })).code).toBe(0);
  });
});
