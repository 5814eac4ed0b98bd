import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync, cpSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, type CliRun } from "../plan/cli-fixture.js";
import { renderValidation } from "../../src/policy/render/render-validation.js";

const ROOT = join(import.meta.dirname, "..", "..");

function validate(...args: string[]): Promise<CliRun> {
  return runCli(["validate", ...args], { cwd: ROOT });
}

describe("scim-gitops validate", () => {
  it("accepts the bundled example policy with no problems and exits 0", async () => {
    const result = await validate("--policies", "policies");
    expect(result.stdout).toMatch(/^0 errors, 0 warnings in \d+ files\n$/);
    expect(result.code).toBe(0);
  });

  it("prints all five mistakes of the bad fixture at their file:line:col and exits 1", async () => {
    const result = await validate("--policies", "test/fixtures/bad-policy");
    const dir = "test/fixtures/bad-policy";
    expect(result.stdout.split("\n")).toEqual([
      `${dir}/access/payments.yaml:3:5: error: unknown key \`descripton\` in a role; did you mean \`description\`?`,
      `${dir}/access/payments.yaml:9:19: error: "payments..settled" has an empty token (a leading, trailing or doubled dot); remove the extra dot`,
      `${dir}/access/search.yaml:4:16: error: "acme/search/queries" is not a Pulsar topic name; write persistent://tenant/namespace/topic or non-persistent://tenant/namespace/topic, e.g. persistent://acme/search/queries`,
      `${dir}/access/search.yaml:10:13: error: role \`search-indexr\` is not defined in any access file; did you mean \`search-indexer\`?`,
      `${dir}/settings.yaml:9:19: error: "25 percent" is not a share; write a percentage such as "25%" or a whole number such as 10`,
      "5 errors, 0 warnings in 7 files",
      "",
    ]);
    expect(result.code).toBe(1);
  });

  it("exits 0 when there are only warnings", async () => {
    const dir = mkdtempSync(join(tmpdir(), "validate-"));
    try {
      cpSync(join(ROOT, "policies"), dir, { recursive: true });
      mkdirSync(join(dir, "access"), { recursive: true });
      writeFileSync(
        join(dir, "access", "contractors.yaml"),
        "bindings:\n  - group: contractors\n    roles: [payments-reader]\n    expires: 2026-01-31\n",
      );
      const result = await validate("--policies", dir);
      expect(result.stdout).toContain(
        `${dir}/access/contractors.yaml:2:12: warning: group \`contractors\` has not been pushed`,
      );
      expect(result.stdout).toContain(
        `${dir}/access/contractors.yaml:4:14: warning: the binding of group \`contractors\` expired on 2026-01-31`,
      );
      expect(result.stdout).toContain("0 errors, 2 warnings in 18 files");
      expect(result.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives tools every diagnostic as JSON", async () => {
    const result = await validate("--policies", "test/fixtures/bad-policy", "--format", "json");
    const report = JSON.parse(result.stdout) as {
      valid: boolean;
      errors: number;
      warnings: number;
      files: number;
      diagnostics: { severity: string; file: string; line: number; col: number; message: string }[];
    };
    expect(report).toMatchObject({ valid: false, errors: 5, warnings: 0, files: 7 });
    expect(report.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}`)).toEqual([
      "test/fixtures/bad-policy/access/payments.yaml:3:5",
      "test/fixtures/bad-policy/access/payments.yaml:9:19",
      "test/fixtures/bad-policy/access/search.yaml:4:16",
      "test/fixtures/bad-policy/access/search.yaml:10:13",
      "test/fixtures/bad-policy/settings.yaml:9:19",
    ]);
    expect(result.code).toBe(1);
  });

  it("renders a markdown table for pull request comments", async () => {
    const result = await validate("--policies", "test/fixtures/bad-policy", "--format", "markdown");
    expect(result.stdout).toMatchSnapshot();
  });

  it("keeps markdown within a PR comment's size, errors first, saying how many were left out", () => {
    const at = (line: number) => ({ file: "p/access/a.yaml", line, col: 1 });
    const diagnostics = Array.from({ length: 300 }, (_, index) => ({
      severity: index % 2 === 0 ? ("warning" as const) : ("error" as const),
      at: at(index + 1),
      message: "something is wrong; fix it",
    }));
    const markdown = renderValidation(diagnostics, 1, "markdown");
    expect(markdown.split("\n").filter((line) => line.startsWith("| ❌")).length).toBe(150);
    expect(markdown.split("\n").filter((line) => line.startsWith("| ⚠️")).length).toBe(50);
    expect(markdown).toContain("… and 100 more; run `scim-gitops validate` for the full list.");
    expect(markdown.length).toBeLessThan(65_536);
  });

  it("says what to do when the directory does not exist", async () => {
    const result = await validate("--policies", "no-such-dir");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cannot read the policy directory");
    expect(result.stderr).toContain("--policies DIR");
  });

  it("has help with usage, options and exit codes", async () => {
    const result = await validate("--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "Usage: scim-gitops validate [--policies DIR] [--format text|markdown|json]",
    );
    expect(result.stdout).toContain("Exit codes: 0 no errors (warnings allowed), 1 errors found");
  });
});
