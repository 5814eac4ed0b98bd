/**
 * The dependency rules in eslint.config.js (no cycles; the core imports no adapter, entry point, target or
 * I/O module) must really refuse what they are there to refuse: each case plants one offending import into
 * a real file's text and lints it in place, so the rest of the import graph is the one on disk.
 */
import { readFile } from "node:fs/promises";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const eslint = new ESLint({ cwd: process.cwd() });

async function ruleIdsFor(path: string, plantedImport: string): Promise<string[]> {
  const text = `${plantedImport}\n${await readFile(path, "utf8")}`;
  const [result] = await eslint.lintText(text, { filePath: path });
  return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
}

// Type-aware linting builds a TypeScript program first, which takes tens of seconds on a busy machine.
describe("dependency rules", { timeout: 120_000 }, () => {
  it("refuse an import cycle", async () => {
    // load.ts imports load-files.ts, so load-files.ts importing load.ts closes a circle.
    const rules = await ruleIdsFor(
      "src/policy/load/load-files.ts",
      'import { loadPolicy } from "./load.js";\nexport const planted = loadPolicy;',
    );
    expect(rules).toContain("import-x/no-cycle");
  });

  it("refuse a core → cli import", async () => {
    const rules = await ruleIdsFor(
      "src/plan/guards.ts",
      'import { EXIT_OK } from "../cli/errors.js";\nexport const planted = EXIT_OK;',
    );
    expect(rules).toContain("import-x/no-restricted-paths");
  });

  it("refuse a core → target client import", async () => {
    const rules = await ruleIdsFor(
      "src/policy/compile/compile.ts",
      'import { pulsarTarget } from "../../targets/pulsar/pulsar-target.js";\nexport const planted = pulsarTarget;',
    );
    expect(rules).toContain("import-x/no-restricted-paths");
  });

  it("refuse I/O in the core", async () => {
    const rules = await ruleIdsFor(
      "src/plan/guards.ts",
      'import { readFileSync } from "node:fs";\nexport const planted = readFileSync;',
    );
    expect(rules).toContain("no-restricted-imports");
  });

  it("accept the tree as it is", async () => {
    const rules = await ruleIdsFor("src/plan/guards.ts", "");
    expect(rules).toEqual([]);
  });
});
