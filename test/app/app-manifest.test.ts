/**
 * The manifest a platform team creates the App from asks for the least it needs (issue 12): a permission
 * more is a wider blast radius if the App's key leaks, and one fewer fails at the first PR or label.
 */
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

interface Manifest {
  readonly default_permissions: Record<string, string>;
  readonly default_events: readonly string[];
  readonly public: boolean;
}

describe("app.yml", () => {
  it("asks for exactly contents, pull requests, checks and issues write, and metadata read", async () => {
    const manifest = parse(await readFile("app.yml", "utf8")) as Manifest;
    expect(manifest.default_permissions).toEqual({
      contents: "write",
      pull_requests: "write",
      checks: "write",
      issues: "write",
      metadata: "read",
    });
    // Underscores, as GitHub's manifest flow wants; Probot's type says `pull-requests`, which GitHub ignores.
    expect(Object.keys(manifest.default_permissions).every((name) => /^[a-z_]+$/.test(name))).toBe(true);
  });

  it("subscribes only to the events the App handles and is private", async () => {
    const manifest = parse(await readFile("app.yml", "utf8")) as Manifest;
    expect([...manifest.default_events].sort()).toEqual(["check_run", "check_suite", "pull_request", "push"]);
    expect(manifest.public).toBe(false);
  });
});
