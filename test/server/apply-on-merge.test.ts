/**
 * `serve --apply-on-merge` closes the loop without CI: main's policy is applied at start, and a deactivation
 * (emergency merge into main) is applied to Pulsar within seconds. Pulsar is the stateful fake of test/fakes.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakePulsarAdmin } from "../fakes/pulsar-admin/server.js";
import { SUPER_TOKEN, startFake } from "../targets/pulsar/fixture.js";
import { startServeProcess, type ServeProcess } from "./serve-process.js";

const TOKEN = "apply-on-merge-token-7e2c";
let scratch: string;
let fake: FakePulsarAdmin;
let serve: ServeProcess;

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const paymentsGrant = (role: string) => fake.state.snapshot().namespaces["acme/payments"]?.namespace[role];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "apply-on-merge-"));
  fake = await startFake();
  fake.state.addTenant("acme", ["admin"]).addNamespace("shared/events");
  for (const namespace of ["analytics", "payments", "observability", "search"]) {
    fake.state.addNamespace(`acme/${namespace}`);
  }
  serve = await startServeProcess({
    dataDir: join(scratch, "data"),
    repoPath: join(scratch, "repo"),
    env: { SCIM_TOKEN: TOKEN, PULSAR_ADMIN_URL: fake.url, PULSAR_TOKEN: SUPER_TOKEN },
    args: ["--apply-on-merge"],
  });
});

afterAll(async () => {
  await serve.stop("SIGKILL");
  await fake.close();
  await rm(scratch, { recursive: true, force: true });
});

describe("serve --apply-on-merge", () => {
  it("applies main at start, then applies a deactivation's emergency merge to Pulsar", async () => {
    await until("the apply at start", () => paymentsGrant("alice@example.com"));
    const headers = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/scim+json" };
    const found = (await (
      await fetch(`${serve.scimUrl}/Users?filter=userName%20eq%20%22alice@example.com%22`, { headers })
    ).json()) as { Resources: { id: string }[] };
    const id = found.Resources[0]!.id;
    const patched = await fetch(`${serve.scimUrl}/Users/${id}`, {
      method: "PATCH",
      headers,
      body: JSON.stringify({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", value: { active: false } }],
      }),
    });
    expect(patched.status).toBe(200);
    await until("alice's revocation", () =>
      paymentsGrant("alice@example.com") === undefined ? true : undefined,
    );
    // Pulsar shows the revocation while the apply is still finishing; its count goes up once it is done.
    const appliesTotal = (text: string) => Number(/^scim_gitops_applies_total (\d+)/m.exec(text)?.[1]);
    const metrics = await until("the second apply to finish", async () => {
      const text = await (await fetch(`${serve.origin}/metrics`)).text();
      return appliesTotal(text) >= 2 ? text : undefined;
    });
    expect(appliesTotal(metrics)).toBeGreaterThanOrEqual(2);
    expect(metrics).toMatch(/^scim_gitops_emergency_merges_total\{outcome="merged"\} 1$/m);
    expect(serve.stderr()).toMatch(/apply-on-merge: main [0-9a-f]{12} applied/);
    expect(serve.stderr()).not.toContain(SUPER_TOKEN);
  });
});
