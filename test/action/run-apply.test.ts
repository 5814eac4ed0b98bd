import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runAction } from "../../src/action/main.js";
import { loadConfig } from "../../src/config.js";
import { CLI_NOW, useSeededWorld } from "../plan/cli-fixture.js";
import { SUPER_TOKEN } from "../targets/pulsar/fixture.js";

const world = useSeededWorld();

async function step(env: Record<string, string>): Promise<{ code: number; log: string; summary: string }> {
  const dir = await mkdtemp(join(world.root, "step-"));
  const summary = join(dir, "summary.md");
  await writeFile(summary, "");
  const lines: string[] = [];
  const code = await runAction({
    config: loadConfig({
      GITHUB_REPOSITORY: "acme/policy",
      GITHUB_SHA: "f".repeat(40),
      GITHUB_WORKSPACE: world.root,
      GITHUB_STEP_SUMMARY: summary,
      RUNNER_TEMP: dir,
      PULSAR_ADMIN_URL: world.fake.url,
      PULSAR_TOKEN: SUPER_TOKEN,
      ...env,
    }),
    now: () => CLI_NOW,
    log: (text) => lines.push(text),
  });
  return { code, log: lines.join(""), summary: await readFile(summary, "utf8") };
}

describe("the action's apply", () => {
  it("fails the step on a partial apply, with every failure in the summary", async () => {
    world.fake.faults.serverErrorNext(1, "writes");
    const run = await step({ INPUT_COMMAND: "apply" });
    expect(run.code).toBe(1);
    expect(run.summary).toContain("FAILED");
    expect(run.summary).toMatch(/ok .*grant/);
    expect(run.summary + run.log).not.toContain(SUPER_TOKEN);
  });

  it("applies the plan it saved from the checked-out commit", async () => {
    const run = await step({ INPUT_COMMAND: "apply" });
    expect(run.code, run.summary).toBe(0);
    expect(run.summary).toContain("## scim-gitops: apply of ffffffffffff");
    expect(run.summary).toContain("revoke dave@example.com");
    expect(run.log).toMatch(/Saved the plan to .*scim-gitops-plan\.json/);
  });

  it("says which command input is wrong, as a workflow error", async () => {
    const run = await step({ INPUT_COMMAND: "destroy" });
    expect(run.code).toBe(1);
    expect(run.log).toMatch(/^::error::scim-gitops action: .*"destroy": use one of pr-plan, apply, drift/m);
  });
});
