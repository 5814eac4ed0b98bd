import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { hashPolicyTree } from "../../src/plan/policy-tree.js";
import { POLICY_FILES, removeDir, writePolicy } from "./cli-fixture.js";

describe("hashPolicyTree", () => {
  it("equals git's tree hash of the same policy directory", async () => {
    const files = {
      ...POLICY_FILES,
      "access/a-b.yaml": "roles: {}\n",
      "access-extra.yaml": "x: 1\n",
      "z.yaml": "é\n",
    };
    const root = await writePolicy(files);
    try {
      const git = (...args: string[]): string =>
        execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
      git("init", "-q");
      git("add", "policies");
      git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "policy");
      expect(hashPolicyTree(new Map(Object.entries(files)))).toBe(git("rev-parse", "HEAD:policies"));
    } finally {
      await removeDir(root);
    }
  });

  it("changes when any file changes and not when files are listed in another order", () => {
    const entries = Object.entries(POLICY_FILES);
    const base = hashPolicyTree(new Map(entries));
    expect(hashPolicyTree(new Map([...entries].reverse()))).toBe(base);
    expect(hashPolicyTree(new Map([...entries, ["access/new.yaml", "roles: {}\n"]]))).not.toBe(base);
  });
});
