import { resolve } from "node:path";
import { expect, it } from "vitest";
import { annotationsFromValidation } from "../../src/action/validation-annotations.js";
import { formatAnnotation } from "../../src/action/workflow-commands.js";
import { runCli } from "../plan/cli-fixture.js";

it("turns every problem validate finds into an annotation at its file:line:col", async () => {
  const fixtures = resolve(import.meta.dirname, "../fixtures");
  const validate = await runCli(["validate", "--policies", "bad-policy", "--format", "json"], {
    cwd: fixtures,
  });
  expect(validate.code).toBe(1);
  const report = JSON.parse(validate.stdout) as { errors: number; diagnostics: { file: string }[] };
  const lines = annotationsFromValidation(validate.stdout).map(formatAnnotation);
  expect(lines).toHaveLength(report.diagnostics.length);
  expect(lines.filter((line) => line.startsWith("::error "))).toHaveLength(report.errors);
  for (const line of lines) {
    expect(line).toMatch(/^::(error|warning) file=bad-policy\/[^,]+\.yaml,line=\d+,col=\d+,title=[^:]+::\S/);
    expect(line).not.toContain("\n");
  }
});

it("says so when validate printed something that is not its JSON report", () => {
  expect(() => annotationsFromValidation("Usage: scim-gitops validate")).toThrow(/not JSON/);
});
