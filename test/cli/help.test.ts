import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands.js";
import { runCli } from "../plan/cli-fixture.js";

describe("scim-gitops --help", () => {
  it("lists every command and exits 0", async () => {
    const run = await runCli(["--help"], { cwd: process.cwd() });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: scim-gitops <command>");
    for (const command of COMMANDS) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command.name} +${escape(command.summary)}$`, "m"));
    }
  });

  it("refuses an unknown command with exit 1 and the list", async () => {
    const run = await runCli(["frobnicate"], { cwd: process.cwd() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unknown command "frobnicate"');
    expect(run.stderr).toContain("Commands:");
    for (const command of COMMANDS) expect(run.stderr).toContain(`  ${command.name} `);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
