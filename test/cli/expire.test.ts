import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { removeDir, runCli } from "../plan/cli-fixture.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "scim-gitops-expire-"));
  await cp("policies", join(dir, "policies"), { recursive: true });
});
afterEach(() => removeDir(dir));

const payments = () => readFile(join(dir, "policies/access/payments.yaml"), "utf8");

describe("scim-gitops expire", () => {
  it("exits 0 when nothing has expired, and lists what ends within the window", async () => {
    const quiet = await runCli(["expire"], { cwd: dir });
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe("No binding has expired (today is 2026-11-29, UTC).\n");
    const soon = await runCli(["expire", "--now", "2027-06-20"], { cwd: dir });
    expect(soon.code).toBe(0);
    expect(soon.stdout).toContain("1 binding expires within 14 days:");
    expect(soon.stdout).toMatch(
      /policies\/access\/payments\.yaml:29:5 {2}user carol@example\.com → payments-reader {2}last day 2027-06-30 \(in 10 days\)/,
    );
    const narrow = await runCli(["expire", "--now", "2027-06-20", "--warn-days", "5"], { cwd: dir });
    expect(narrow.stdout).not.toContain("carol");
  });

  it("exits 2 when a binding has expired, and changes nothing without --write", async () => {
    const before = await payments();
    const run = await runCli(["expire", "--now", "2027-07-01"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(
      "1 binding expired (today is 2027-07-01, UTC); --write removes it from 1 file:",
    );
    expect(run.stdout).toContain("user carol@example.com → payments-reader  last day 2027-06-30");
    expect(await payments()).toBe(before);
  });

  it("removes the expired binding with --write; the policy still validates and the next run finds nothing", async () => {
    const before = await payments();
    const run = await runCli(["expire", "--now", "2027-07-01", "--write", "--format", "json"], { cwd: dir });
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      today: "2027-07-01",
      warnWithinDays: 14,
      written: true,
      files: ["policies/access/payments.yaml"],
      expired: [{ subject: { kind: "user", name: "carol@example.com" }, expires: "2027-06-30" }],
    });
    const after = await payments();
    expect(after).not.toContain("carol");
    expect(before.replace(after.trimEnd(), "").trim()).toMatch(
      /^# Carol reconciles[\s\S]*expires: 2027-06-30$/,
    );
    expect((await runCli(["validate"], { cwd: dir })).code).toBe(0);
    expect((await runCli(["expire", "--now", "2027-07-01"], { cwd: dir })).code).toBe(0);
  });

  it("renders a markdown table for a pull request", async () => {
    const run = await runCli(["expire", "--now", "2027-07-01", "--write", "--format", "markdown"], {
      cwd: dir,
    });
    expect(run.stdout).toContain("### Expired bindings");
    expect(run.stdout).toContain("this change removes them");
    expect(run.stdout).toContain(
      "| user `carol@example.com` | `payments-reader` | `policies/access/payments.yaml:29` | 2027-06-30 |",
    );
  });

  it("takes the window from settings expiry.warnWithinDays", async () => {
    const settings = join(dir, "policies/settings.yaml");
    await writeFile(
      settings,
      (await readFile(settings, "utf8")).replace("warnWithinDays: 14", "warnWithinDays: 60"),
    );
    const run = await runCli(["expire", "--now", "2027-05-15"], { cwd: dir });
    expect(run.stdout).toContain("1 binding expires within 60 days:");
  });

  it("says how to call it when --now or --warn-days is wrong", async () => {
    const badNow = await runCli(["expire", "--now", "soon"], { cwd: dir });
    expect(badNow.code).toBe(1);
    expect(badNow.stderr).toMatch(/--now soon is not a date: use YYYY-MM-DD/);
    const badDays = await runCli(["expire", "--warn-days", "two"], { cwd: dir });
    expect(badDays.stderr).toMatch(/--warn-days two must be a whole number/);
    const missing = await runCli(["expire", "--policies", "nowhere"], { cwd: dir });
    expect(missing.stderr).toMatch(/cannot read the policy directory .*nowhere: pass --policies DIR/);
  });
});
