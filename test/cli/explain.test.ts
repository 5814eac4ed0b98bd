import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, type CliRun } from "../plan/cli-fixture.js";

const POLICIES = fileURLToPath(new URL("../policy/fixtures/team", import.meta.url));

function explain(...args: string[]): Promise<CliRun> {
  return runCli(["explain", ...args, "--policies", POLICIES], { cwd: process.cwd() });
}

/** Absolute fixture paths differ between machines; snapshots show them relative. */
const portable = (text: string): string => text.replaceAll(POLICIES, "policies");

describe("scim-gitops explain", () => {
  it("prints a person's access per target with binding → role → file:line", async () => {
    const result = await explain("alice@example.com");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("namespace acme/payments: consume, produce");
    expect(result.stdout).toMatch(
      /because group:payments-engineers → payments-writer \(.*payments\.yaml:\d+ →/,
    );
    await expect(portable(result.stdout)).toMatchFileSnapshot("__snapshots__/explain-alice.txt");
  });

  it("renders markdown and json", async () => {
    const markdown = await explain("carol@example.com", "--format", "markdown");
    expect(markdown.code).toBe(0);
    await expect(portable(markdown.stdout)).toMatchFileSnapshot("__snapshots__/explain-carol.md");
    const json = await explain("CAROL@example.com", "--json");
    const parsed = JSON.parse(json.stdout) as { userName: string; bindings: { expires?: string }[] };
    expect(parsed.userName).toBe("carol@example.com");
    expect(parsed.bindings.some((binding) => binding.expires === "2026-12-31")).toBe(true);
  });

  it("says clearly that an inactive person holds nothing and what apply revokes", async () => {
    const result = await explain("dave@example.com");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("dave@example.com (Dave Gone): inactive: no access");
    expect(result.stdout).toContain("Revoked on apply: pulsar dave@example.com, nats dave@example.com");
    await expect(portable(result.stdout)).toMatchFileSnapshot("__snapshots__/explain-dave.txt");
  });

  it("finds a person by a former userName and says so", async () => {
    const result = await explain("robert@example.com");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"robert@example.com" is a former userName of this person');
    expect(result.stdout).toContain("Revoked on apply: pulsar robert@example.com, nats robert@example.com");
  });

  it("explains that bindings never grant a protected principal", async () => {
    const result = await explain("admin");
    expect(result.stdout).toContain("protected principal: bindings never grant it");
  });

  it("exits 1 for an unknown person with a hint", async () => {
    const result = await explain("alicia@example.com");
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain('no user "alicia@example.com"');
    expect(result.stderr).toContain("Check the spelling");
    const close = await explain("alice");
    expect(close.stderr).toContain("Did you mean: alice@example.com?");
  });

  it("refuses a call without exactly one userName", async () => {
    const result = await explain();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("scim-gitops explain <userName>");
  });
});
