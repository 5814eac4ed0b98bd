import { rm } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { Proposer } from "../../src/proposals/proposer.js";
import { startProposer } from "../../src/proposals/proposer.js";
import { SYNC_BRANCH } from "../../src/proposals/sync-branch.js";
import type { PolicyRepo } from "../../src/repos/policy-repo.js";
import type { Fixture } from "./policy-fixture.js";
import { ALICE_ID, makeFixture, scimUser } from "./policy-fixture.js";
import { patch, put } from "./ledger-writes.js";
import { MemoryLedger } from "./memory-ledger.js";

const NOW = new Date("2026-11-29T02:15:00.000Z");
const CAROL_ID = "c0ffee00-0000-4000-8000-00000000000c";

let fixture: Fixture;
let proposer: Proposer | undefined;

afterEach(async () => {
  await proposer?.close();
  proposer = undefined;
  await fixture.ledger.close();
  await rm(fixture.scratch, { recursive: true, force: true });
});

/** The real repository, with one of its calls failing while `fault` says so (a disk or network error). */
function faulty(repo: PolicyRepo, fault: { readFile?: boolean; merge?: boolean }): PolicyRepo {
  return new Proxy(repo, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      const call = value as (...args: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) => {
        const failing =
          (property === "readFile" && fault.readFile === true && String(args[1]).endsWith("settings.yaml")) ||
          (property === "merge" && fault.merge === true);
        if (failing) return Promise.reject(new Error(`injected I/O error in ${String(property)}`));
        return call.apply(target, args);
      };
    },
  });
}

async function personPushesToMain(): Promise<string> {
  const head = (await fixture.repo.head("main")) ?? "";
  return fixture.repo.commitFiles({
    branch: "main",
    parent: head,
    changes: [{ path: "policies/access/notes.yaml", content: "roles: {}\n" }],
    message: "A person's change\n",
    update: { kind: "expect", head },
  });
}

describe("faults around a flush", () => {
  it("does not re-queue or double-count a committed flush when reading main's settings fails after it", async () => {
    fixture = await makeFixture();
    const fault = { readFile: false };
    proposer = startProposer({
      ledger: fixture.ledger,
      repo: faulty(fixture.repo, fault),
      debounceMs: 60_000,
      maxWaitMs: 60_000,
      watchMainMs: 0,
      now: () => NOW,
    });
    await proposer.flush();
    await personPushesToMain();
    fault.readFile = true;
    await put(fixture.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));

    await proposer.flush();
    const head = (await fixture.repo.head(SYNC_BRANCH)) ?? "";
    expect((await fixture.repo.readCommit(head)).message).toContain(`SCIM-Operation: POST User ${CAROL_ID}`);
    expect(proposer.state()).toMatchObject({ pendingChanges: 0, flushFailures: 0, syncCommits: 1 });

    fault.readFile = false;
    await proposer.flush();
    expect(await fixture.repo.head(SYNC_BRANCH)).toBe(head);
    expect(proposer.state()).toMatchObject({ pendingChanges: 0, flushFailures: 0, syncCommits: 1 });
  });
});

describe("faults around an emergency", () => {
  it("retries a failed emergency and merges it once the fault clears", async () => {
    fixture = await makeFixture();
    const fault = { merge: true };
    proposer = startProposer({
      ledger: fixture.ledger,
      repo: faulty(fixture.repo, fault),
      debounceMs: 60_000,
      maxWaitMs: 60_000,
      watchMainMs: 0,
      now: () => new Date(),
    });
    await proposer.flush();
    const p = proposer;
    await patch(fixture.ledger, "User", ALICE_ID, { active: false });
    await expect.poll(() => p.state().emergencies.failed, { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
    expect(p.state().emergencies.merged).toBe(0);

    fault.merge = false;
    await expect.poll(() => p.state().emergencies.merged, { timeout: 10_000 }).toBe(1);
    expect(await fixture.repo.readFile("main", "policies/identities/users/alice-example-com.yaml")).toContain(
      "active: false\n",
    );
    expect(p.state().emergencies.queued).toBe(0);
    expect(await fixture.repo.listBranches("scim-gitops/emergency/")).toEqual([]);
  });
});

describe("waking up", () => {
  it("takes up a deactivation that arrives while flush() is returning, with no later event to wake it", async () => {
    fixture = await makeFixture();
    const ledger = new MemoryLedger();
    await put(ledger, "User", scimUser(ALICE_ID, "alice@example.com", "Alice Example"));
    proposer = startProposer({
      ledger,
      repo: fixture.repo,
      debounceMs: 60_000,
      maxWaitMs: 60_000,
      watchMainMs: 0,
      now: () => NOW,
    });
    await proposer.flush();
    await personPushesToMain();
    await proposer.flush();
    void patch(ledger, "User", ALICE_ID, { active: false });
    const p = proposer;
    await expect.poll(() => p.state().emergencies.merged, { timeout: 5_000 }).toBe(1);
  });
});
