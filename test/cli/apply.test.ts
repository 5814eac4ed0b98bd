import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Plan, PlannedChange } from "../../src/plan/plan.js";
import { POLICY_FILES, useSeededWorld } from "../plan/cli-fixture.js";

const world = useSeededWorld();

const EXPECTED_AFTER = {
  "acme/orders": {
    namespace: {},
    topics: {
      "persistent://acme/orders/audit": { "alice@example.com": ["consume"], "bob@example.com": ["consume"] },
    },
  },
  "acme/payments": {
    namespace: {
      "alice@example.com": ["consume", "produce"],
      "app-billing": ["produce"],
      "bob@example.com": ["consume", "produce"],
    },
    topics: {},
  },
  "shared/events": {
    namespace: { admin: ["consume", "produce"], "carol@example.com": ["consume"] },
    topics: {},
  },
};

describe("scim-gitops apply", () => {
  it("applies revocations first, unloads after the deprovisioning, and a second apply writes nothing", async () => {
    const run = await world.run(["apply"]);
    expect(run.code).toBe(0);
    expect(world.fake.state.snapshot().namespaces).toEqual(EXPECTED_AFTER);
    const writes = world.fake.writes().map((record) => `${record.method} ${record.path}`);
    expect(writes.slice(0, 2)).toEqual([
      "DELETE /admin/v2/namespaces/acme/payments/permissions/dave%40example.com",
      "PUT /admin/v2/namespaces/acme/payments/unload",
    ]);
    expect(writes.slice(2).every((write) => write.startsWith("POST "))).toBe(true);
    expect(run.stdout).toContain(
      "evidence: unloaded namespace acme/payments: live producers and consumers of dave@example.com had to reconnect and re-authorize",
    );
    expect(run.stdout).toContain("Apply complete: 6 changes applied.");

    const writesBefore = world.fake.writes().length;
    const again = await world.run(["apply"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Apply complete: nothing to change.");
    expect(world.fake.writes().length).toBe(writesBefore);
  });

  it("--dry-run prints the plan and writes nothing", async () => {
    const run = await world.run(["apply", "--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("pulsar: 1 to revoke, 1 to update, 4 to grant");
    expect(run.stderr).toContain("Dry run: nothing was written.");
    expect(world.fake.writes()).toEqual([]);
  });

  it("rides out 409s and 307s to the other port", async () => {
    world.fake.faults.conflictNextWrites(2);
    world.fake.faults.redirectNext(4);
    const run = await world.run(["apply"]);
    expect(run.code).toBe(0);
    expect(world.fake.state.snapshot().namespaces).toEqual(EXPECTED_AFTER);
    expect(world.fake.log.filter((record) => record.server === "secondary").length).toBe(4);
    expect(world.fake.log.filter((record) => record.status === 409).length).toBe(2);
  });

  it("keeps going past a failed change, reports it, exits 1 and never claims success", async () => {
    world.fake.faults.serverErrorNext(1, "writes");
    const run = await world.run(["apply"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("FAILED - revoke dave@example.com namespace acme/payments");
    expect(run.stdout).toContain("Pulsar answered 500");
    expect(run.stdout).toContain("Apply FAILED (partial): 1 of 6 changes failed");
    expect(run.stdout).not.toContain("Apply complete");
    expect(world.fake.state.snapshot().namespaces["shared/events"]?.namespace["carol@example.com"]).toEqual([
      "consume",
    ]);
    const retry = await world.run(["apply"]);
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain("Apply complete: 1 change applied.");
  });

  it("refuses a mass revocation unless --allow-mass-revocation", async () => {
    for (const name of ["erin", "frank", "gina", "hugo"]) {
      world.fake.state.grantNamespace("acme/orders", `${name}@example.com`, ["consume"]);
    }
    await writeFile(
      join(world.root, "policies/access/payments.yaml"),
      POLICY_FILES["access/payments.yaml"]!.replace(
        "  - user: carol@example.com\n    roles: [events-reader]\n",
        "",
      ),
    );
    for (const name of ["erin", "frank", "gina", "hugo"]) {
      await writeFile(
        join(world.root, `policies/identities/users/${name}-example-com.yaml`),
        `id: u-${name}\nexternalId: okta-${name}\nuserName: ${name}@example.com\nactive: false\nemails:\n  - ${name}@example.com\n`,
      );
    }
    const refused = await world.run(["apply"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "Refused: pulsar: 6 of 8 principals holding access (75%) would lose some or all of it",
    );
    expect(refused.stderr).toContain("apply with --allow-mass-revocation");
    expect(refused.stderr).toContain("Nothing was applied.");
    expect(world.fake.writes()).toEqual([]);
    const plan = await world.run(["plan"]);
    expect(plan.stdout).toContain("apply will refuse: pulsar: 6 of 8 principals");

    const allowed = await world.run(["apply", "--allow-mass-revocation"]);
    expect(allowed.code).toBe(0);
    expect(world.fake.state.snapshot().namespaces["acme/orders"]?.namespace).toEqual({});
  });

  it("applies a current saved plan and refuses a stale one (policy changed, or actual state changed)", async () => {
    await world.run(["plan", "--out", "plan.json"]);
    await writeFile(join(world.root, "policies/access/extra.yaml"), "roles:\n  spare:\n    pulsar: []\n");
    const policyMoved = await world.run(["apply", "--plan", "plan.json"]);
    expect(policyMoved.code).toBe(1);
    expect(policyMoved.stderr).toContain(
      "the saved plan plan.json is stale and was not applied: the policy changed since the plan was made",
    );
    expect(world.fake.writes()).toEqual([]);

    await world.run(["plan", "--out", "plan.json"]);
    world.fake.state.grantNamespace("acme/orders", "mallory", ["produce"]);
    const stateMoved = await world.run(["apply", "--plan", "plan.json"]);
    expect(stateMoved.code).toBe(1);
    expect(stateMoved.stderr).toContain("the actual state of pulsar changed since the plan was made");
    expect(stateMoved.stderr).toContain("Make a new plan (scim-gitops plan --out plan.json)");
    expect(world.fake.writes()).toEqual([]);

    await world.run(["plan", "--out", "plan.json"]);
    const current = await world.run(["apply", "--plan", "plan.json"]);
    expect(current.code).toBe(0);
    expect(world.fake.state.snapshot().namespaces["acme/payments"]).toEqual(EXPECTED_AFTER["acme/payments"]);
  });

  it("refuses a saved plan edited to revoke a protected principal", async () => {
    await world.run(["plan", "--out", "plan.json"]);
    const saved = JSON.parse(await readFile(join(world.root, "plan.json"), "utf8")) as Plan;
    (saved.targets[0]!.changes as PlannedChange[]).unshift({
      target: "pulsar",
      action: "revoke",
      principal: "admin",
      resource: "namespace shared/events",
      before: ["consume", "produce"],
      after: null,
      narrows: true,
      reason: "edited by hand",
      operation: { op: "revoke-namespace-permission", namespace: "shared/events", role: "admin", unload: [] },
    });
    await writeFile(join(world.root, "plan.json"), JSON.stringify(saved));
    const run = await world.run(["apply", "--plan", "plan.json", "--allow-mass-revocation"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "takes access away from protected principal admin on namespace shared/events",
    );
    expect(world.fake.writes()).toEqual([]);
  });

  it("refuses a saved plan whose changes were edited, even with the same policy and state", async () => {
    await world.run(["plan", "--out", "plan.json"]);
    const saved = JSON.parse(await readFile(join(world.root, "plan.json"), "utf8")) as Plan;
    (saved.targets[0]!.changes as PlannedChange[]).push({
      ...saved.targets[0]!.changes.at(-1)!,
      principal: "mallory",
      operation: {
        op: "set-namespace-permission",
        namespace: "acme/payments",
        role: "mallory",
        actions: ["produce"],
      },
    });
    await writeFile(join(world.root, "plan.json"), JSON.stringify(saved));
    const run = await world.run(["apply", "--plan", "plan.json"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("the changes for pulsar are not what this policy and state call for");
    expect(world.fake.writes()).toEqual([]);
  });

  it("prints a JSON summary with every change's result", async () => {
    const run = await world.run(["apply", "--format", "json"]);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ ok: true, applied: 6, failed: 0, incomplete: 0 });
    expect(summary.targets[0].results).toHaveLength(6);
  });
});
