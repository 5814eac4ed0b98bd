/**
 * Apply given the access applied before (serve --apply-on-merge after an emergency merge): what the policy
 * takes away is revoked first, reading only what the leaver held, then the full plan catches the rest.
 * Against the stateful Pulsar fake over real HTTP.
 */
import { describe, expect, it } from "vitest";
import { applyPolicy } from "../../src/engine/apply-policy.js";
import { compilePolicyFiles } from "../../src/engine/compile-policy-files.js";
import type { EffectiveAccess } from "../../src/policy/model/effective-access.js";
import { POLICY_FILES } from "../plan/cli-fixture.js";
import { useEngineWorld } from "./engine-world.js";

const world = useEngineWorld();

const APPLY = { allowMassRevocation: false, dryRun: false } as const;
const BOB = "identities/users/bob-example-com.yaml";

function deactivate(files: Record<string, string>, ...paths: string[]): Record<string, string> {
  const next = { ...files };
  for (const path of paths) next[path] = (next[path] ?? "").replace("active: true", "active: false");
  return next;
}

/** The policy applied to the fake, as apply-on-merge leaves it, and the access it gave. */
async function appliedBefore(): Promise<EffectiveAccess> {
  const input = world.input();
  const first = await applyPolicy(input, APPLY);
  expect(first.kind).toBe("applied");
  const compiled = compilePolicyFiles(input);
  if (!compiled.valid) throw new Error("the fixture policy does not validate");
  return compiled.desired;
}

function rolesOf(namespace: string): string[] {
  return [...(world.fake.state.namespaces.get(namespace)?.namespaceAuth.keys() ?? [])].sort();
}

describe("applyPolicy with the previous access", () => {
  it("revokes a leaver where they held access before reading the rest, then applies the whole policy", async () => {
    const previous = await appliedBefore();
    // Drift the previous policy never granted: only the full read can find it.
    world.fake.state.grantNamespace("shared/events", "bob@example.com", ["consume"]);
    world.fake.log.length = 0;
    let atFirstPass: { reads: string[]; payments: string[]; events: string[]; topic: string[] } | undefined;
    const input = world.input(deactivate(POLICY_FILES, BOB), {
      notice: (text) => {
        world.notices.push(text);
        if (!text.startsWith("revoked first on pulsar:")) return;
        atFirstPass = {
          reads: world.fake.log.filter((each) => each.method === "GET").map((each) => each.path),
          payments: rolesOf("acme/payments"),
          events: rolesOf("shared/events"),
          topic: [
            ...(world.fake.state.namespaces
              .get("acme/orders")
              ?.destinationAuth.get("persistent://acme/orders/audit")
              ?.keys() ?? []),
          ].sort(),
        };
      },
    });

    const outcome = await applyPolicy(input, { ...APPLY, previous });

    expect(outcome.kind).toBe("applied");
    expect(atFirstPass).toEqual({
      reads: ["/admin/v2/namespaces/acme/orders", "/admin/v2/namespaces/acme/payments"],
      payments: ["alice@example.com", "app-billing"],
      events: ["admin", "bob@example.com", "carol@example.com"],
      topic: ["alice@example.com"],
    });
    expect(world.notices).toContain(
      "revoked first on pulsar: 2 change(s) for 1 principal(s) applied, 0 failed (the full apply follows)",
    );
    expect(world.notices.filter((text) => text.includes("evidence: unloaded namespace"))).toHaveLength(2);
    // The full pass read everything and took the drift away too.
    expect(rolesOf("shared/events")).toEqual(["admin", "carol@example.com"]);
  });

  it("reads and revokes nothing first when the policy takes nothing away", async () => {
    const previous = await appliedBefore();
    const outcome = await applyPolicy(world.input(), { ...APPLY, previous });
    expect(outcome.kind).toBe("applied");
    expect(world.notices.filter((text) => text.includes("first"))).toEqual([]);
  });

  it("leaves a mass revocation to the full apply's guard, which refuses it: nothing is written", async () => {
    const previous = await appliedBefore();
    const before = world.fake.writes().length;
    const leavers = ["alice", "bob", "carol"].map((name) => `identities/users/${name}-example-com.yaml`);
    const outcome = await applyPolicy(world.input(deactivate(POLICY_FILES, ...leavers)), {
      ...APPLY,
      previous,
    });
    expect(outcome.kind).toBe("refused");
    expect(world.fake.writes().length).toBe(before);
    expect(
      world.notices.find((text) => text.startsWith("revoking first on pulsar: left to the full apply")),
    ).toMatch(/3 of 5 principals holding access/);
  });

  it("revokes nothing first in a dry run", async () => {
    const previous = await appliedBefore();
    const before = world.fake.writes().length;
    const outcome = await applyPolicy(world.input(deactivate(POLICY_FILES, BOB)), {
      ...APPLY,
      dryRun: true,
      previous,
    });
    expect(outcome.kind).toBe("planned");
    expect(world.fake.writes().length).toBe(before);
  });
});
