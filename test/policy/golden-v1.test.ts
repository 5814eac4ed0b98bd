/**
 * Policy format v1 is a public contract: every existing policy must validate, compile and render byte for
 * byte the same across refactors. These snapshots were taken before the engine and target-registry
 * restructuring and are compared on every run.
 */
import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { generatePolicyFiles } from "../../bench/generate-policy.js";
import { runCli, writePolicy, removeDir } from "../plan/cli-fixture.js";

const EXAMPLES = fileURLToPath(new URL("../../policies", import.meta.url));
const TEAM = fileURLToPath(new URL("fixtures/team", import.meta.url));
const BAD = fileURLToPath(new URL("../fixtures/bad-policy", import.meta.url));

async function userNames(dir: string): Promise<string[]> {
  const files = await readdir(`${dir}/identities/users`);
  return files.map((file) => file.replace(/\.yaml$/, "")).sort();
}

async function everyOutput(dir: string, display: string): Promise<string> {
  const sections: string[] = [];
  const record = async (args: string[]) => {
    const run = await runCli([...args, "--policies", dir], { cwd: process.cwd() });
    const out = `${run.stdout}\n--- stderr\n${run.stderr}`.replaceAll(dir, display);
    sections.push(`=== ${args.join(" ")} (exit ${run.code})\n${out}`);
  };
  for (const format of ["text", "json"]) await record(["validate", "--format", format]);
  for (const slug of await userNames(dir)) {
    for (const format of ["text", "markdown", "json"]) {
      await record(["explain", userNameFromSlug(slug), "--format", format]);
    }
  }
  return sections.join("\n");
}

/** Fixture user files are named after `user@example.com`, so the slug maps back to the address. */
function userNameFromSlug(slug: string): string {
  return slug.replace(/-example-com$/, "@example.com");
}

describe("policy format v1 output is unchanged", () => {
  it("the example policies validate and explain exactly as before", async () => {
    await expect(await everyOutput(EXAMPLES, "policies")).toMatchFileSnapshot(
      "__snapshots__/golden-examples.txt",
    );
  });

  it("the team fixture validates and explains exactly as before", async () => {
    await expect(await everyOutput(TEAM, "team")).toMatchFileSnapshot("__snapshots__/golden-team.txt");
  });

  it("a policy with errors reports exactly the same diagnostics", async () => {
    const sections: string[] = [];
    for (const format of ["text", "json"]) {
      const run = await runCli(["validate", "--format", format, "--policies", BAD], { cwd: process.cwd() });
      sections.push(`${run.code}\n${run.stdout}\n${run.stderr}`.replaceAll(BAD, "bad-policy"));
    }
    await expect(sections.join("\n===\n")).toMatchFileSnapshot("__snapshots__/golden-bad.txt");
  });

  it("a generated 2,000-user policy validates and explains to the same bytes", async () => {
    const files = generatePolicyFiles({
      users: 2_000,
      groups: 200,
      membersPerGroup: 20,
      roles: 100,
      namespaces: 400,
    });
    const root = await writePolicy(Object.fromEntries(files));
    const dir = `${root}/policies`;
    try {
      const hash = createHash("sha256");
      const validate = await runCli(["validate", "--format", "json", "--policies", dir], {
        cwd: process.cwd(),
      });
      hash.update(validate.stdout.replaceAll(dir, "policies"));
      const users = [...files.keys()]
        .filter((path) => path.startsWith("identities/users/"))
        .slice(0, 40)
        .map((path) => /userName: (.*)/.exec(files.get(path) ?? "")?.[1] ?? "");
      for (const user of users) {
        const run = await runCli(["explain", user, "--format", "json", "--policies", dir], {
          cwd: process.cwd(),
        });
        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
        hash.update(run.stdout.replaceAll(dir, "policies"));
      }
      expect(hash.digest("hex")).toMatchSnapshot();
    } finally {
      await removeDir(root);
    }
    // Forty explains of a 2,000-user policy, each loading it whole: slow on a loaded machine, by design.
  }, 120_000);
});
