/** action.yml against SchemaStore's GitHub Action metadata schema (test/fixtures/schemas/README.md). */
import { readFile, readdir } from "node:fs/promises";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { ACTION_COMMANDS } from "../../src/action/action-environment.js";

const schema = JSON.parse(await readFile("test/fixtures/schemas/github-action.json", "utf8")) as object;
// SchemaStore's schemas use keywords and formats ajv's strict mode does not know; the structure is what counts.
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

function problems(metadata: unknown): string[] {
  return validate(metadata)
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ""}`);
}

describe("action.yml", () => {
  it("is valid action metadata: a composite action running the built entry point", async () => {
    const metadata = parse(await readFile("action.yml", "utf8")) as {
      runs: { using: string; steps: { run?: string }[] };
      inputs: Record<string, { description: string }>;
      outputs: Record<string, unknown>;
    };
    expect(problems(metadata)).toEqual([]);
    expect(metadata.runs.using).toBe("composite");
    expect(metadata.runs.steps.some((step) => step.run?.includes("dist/action/main.js") === true)).toBe(true);
    expect(Object.keys(metadata.inputs)).toEqual(
      expect.arrayContaining(["command", "policy-dir", "github-token", "expiry-warn-days"]),
    );
    expect(Object.keys(metadata.outputs)).toEqual(expect.arrayContaining(["expired", "pull-request"]));
    for (const command of ACTION_COMMANDS) expect(metadata.inputs.command?.description).toContain(command);
  });

  it("is called by every shipped workflow with a command the entry point accepts", async () => {
    const used = new Set<string>();
    for (const dir of [".github/workflows", "scaffold/workflows"]) {
      for (const name of await readdir(dir)) {
        const text = await readFile(`${dir}/${name}`, "utf8");
        for (const match of text.matchAll(/^\s+command: (\S+)$/gm)) used.add(match[1] ?? "");
      }
    }
    expect([...used].sort()).toEqual([...ACTION_COMMANDS].sort());
  });

  it("rejects planted bad metadata, so a clean result means something", () => {
    const bad = {
      name: "broken",
      description: "no shell on a run step, an unknown runner, a misspelt key",
      runs: { using: "composite", steps: [{ run: "echo hi" }] },
      inputz: {},
    };
    const node = {
      name: "no-entry",
      description: "a JavaScript action without main",
      runs: { using: "node24" },
    };
    expect(problems(bad).length).toBeGreaterThan(0);
    expect(problems(bad).join("\n")).toMatch(/shell|additional/);
    expect(problems(node).length).toBeGreaterThan(0);
  });
});
