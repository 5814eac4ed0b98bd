import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakePulsarAdmin } from "../fakes/pulsar-admin/server.js";
import { startFake } from "../targets/pulsar/fixture.js";
import { removeDir, runCli } from "../plan/cli-fixture.js";

/** The bundled example policy (policies/) against a cluster that has drifted from it. */
const EXAMPLE = resolve(import.meta.dirname, "../../policies");

let fake: FakePulsarAdmin;
let scratch: string;
beforeEach(async () => {
  fake = await startFake();
  fake.state
    .addTenant("acme", ["admin"])
    .addNamespace("acme/analytics")
    .addNamespace("acme/payments")
    .addNamespace("acme/observability")
    .addNamespace("acme/search")
    .addNamespace("shared/events")
    .grantNamespace("acme/payments", "dave@example.com", ["produce", "consume"])
    .grantNamespace("acme/search", "legacy-indexer", ["consume"]);
  scratch = await mkdtemp(join(tmpdir(), "scim-gitops-example-"));
});
afterEach(async () => {
  await fake.close();
  await removeDir(scratch);
});

describe("plan and apply of the example policy", () => {
  it("plans, applies (revoking the deactivated dave first and unloading), then finds nothing to do", async () => {
    const plan = await runCli(
      ["plan", "--policies", EXAMPLE, "--detailed-exitcode", "--out", join(scratch, "plan.json")],
      {
        cwd: scratch,
        fake,
      },
    );
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("- revoke  dave@example.com  namespace acme/payments");
    expect(plan.stdout).toContain("+ grant   alice@example.com  namespace acme/payments");
    expect(plan.stdout).toContain("topic non-persistent://acme/search/query-log");
    expect(plan.stdout).toContain("unmanaged: legacy-indexer holds access the policy does not know about");

    const apply = await runCli(["apply", "--policies", EXAMPLE, "--plan", join(scratch, "plan.json")], {
      cwd: scratch,
      fake,
    });
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain("evidence: unloaded namespace acme/payments");
    const writes = fake.writes();
    expect(writes[0]).toMatchObject({
      method: "DELETE",
      path: "/admin/v2/namespaces/acme/payments/permissions/dave%40example.com",
    });
    expect(writes[1]).toMatchObject({ method: "PUT", path: "/admin/v2/namespaces/acme/payments/unload" });
    expect(writes.every((write) => write.status === 204)).toBe(true);
    const state = fake.state.snapshot();
    expect(state.namespaces["acme/payments"]?.namespace["dave@example.com"]).toBeUndefined();
    expect(state.namespaces["acme/search"]?.namespace["legacy-indexer"]).toEqual(["consume"]);

    const count = fake.writes().length;
    const again = await runCli(["apply", "--policies", EXAMPLE], { cwd: scratch, fake });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Apply complete: nothing to change.");
    expect(fake.writes().length).toBe(count);
    const settled = await runCli(["plan", "--policies", EXAMPLE, "--detailed-exitcode"], {
      cwd: scratch,
      fake,
    });
    expect(settled.code).toBe(0);
  });
});
