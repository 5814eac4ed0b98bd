/**
 * The engine under every entry point: each outcome of planPolicy and applyPolicy, against the stateful
 * Pulsar fake over real HTTP, from policy files held in memory.
 */
import { describe, expect, it } from "vitest";
import { applyPolicy } from "../../src/engine/apply-policy.js";
import { planPolicy } from "../../src/engine/plan-policy.js";
import type { Diagnostic } from "../../src/policy/model/model.js";
import { hashPolicyTree } from "../../src/plan/policy-tree.js";
import { POLICY_FILES } from "../plan/cli-fixture.js";
import { changeLines, useEngineWorld } from "./engine-world.js";

const world = useEngineWorld();

const APPLY = { allowMassRevocation: false, dryRun: false } as const;

const EXPECTED_CHANGES = [
  "revoke dave@example.com namespace acme/payments",
  "update bob@example.com namespace acme/payments",
  "grant alice@example.com namespace acme/payments",
  "grant carol@example.com namespace shared/events",
  "grant alice@example.com topic persistent://acme/orders/audit",
  "grant bob@example.com topic persistent://acme/orders/audit",
];

/** A stricter guard: with four holders, 10% and a minimum of one let a single principal lose access. */
const STRICT_GUARDS = {
  ...POLICY_FILES,
  "settings.yaml": POLICY_FILES["settings.yaml"]!.replace(
    "maxRevocations: 25%",
    "maxRevocations: 10%",
  ).replace("minRevocations: 2", "minRevocations: 1"),
};

describe("planPolicy", () => {
  it("plans from files in memory: every change with its reason, the policy's tree hash, and no write", async () => {
    const input = world.input();
    const outcome = await planPolicy(input);
    if (outcome.kind !== "planned") throw new Error(`expected a plan, got ${outcome.kind}`);
    expect(changeLines(outcome.plan)).toEqual(EXPECTED_CHANGES);
    expect(outcome.plan.policyTree).toBe(hashPolicyTree(input.files));
    expect(outcome.plan.createdAt).toBe(input.now.toISOString());
    expect(outcome.guards).toEqual([]);
    expect(world.fake.writes()).toEqual([]);
  });

  it("returns the guard findings a flag could pass, without refusing: a plan only shows them", async () => {
    const outcome = await planPolicy(world.input(STRICT_GUARDS));
    if (outcome.kind !== "planned") throw new Error(`expected a plan, got ${outcome.kind}`);
    expect(outcome.guards.map((finding) => finding.guard)).toEqual(["mass-revocation"]);
  });

  it("reads no target when the policy has errors, and hands the diagnostics over before anything else", async () => {
    const seen: Diagnostic[] = [];
    const broken = {
      ...POLICY_FILES,
      "access/broken.yaml": "bindings:\n  - group: payments-engineers\n    roles: [no-such-role]\n",
    };
    const outcome = await planPolicy(world.input(broken, { diagnostics: (found) => seen.push(...found) }));
    expect(outcome.kind).toBe("policy-invalid");
    const errors = outcome.diagnostics.filter((diagnostic) => diagnostic.severity === "error");
    expect(errors.map((diagnostic) => diagnostic.at.file)).toEqual(["policies/access/broken.yaml"]);
    expect(errors[0]?.message).toContain("no-such-role");
    expect(seen).toEqual(outcome.diagnostics);
    expect(world.fake.log).toEqual([]);
  });

  it("notes a target the settings give nothing to manage, and reads nothing from it", async () => {
    const nothingManaged = {
      "settings.yaml": 'version: 1\npulsar:\n  principal: "{userName}"\n  manage:\n    tenants: []\n',
    };
    const outcome = await planPolicy(world.input(nothingManaged));
    if (outcome.kind !== "planned") throw new Error(`expected a plan, got ${outcome.kind}`);
    expect(outcome.plan.targets).toEqual([]);
    expect(world.notices).toEqual(["skipping pulsar: settings.yaml gives it nothing to manage"]);
    expect(world.fake.log).toEqual([]);
  });
});

describe("applyPolicy", () => {
  it("applies revocations first and reports every change; a second apply writes nothing", async () => {
    const writesWhenShown: number[] = [];
    const outcome = await applyPolicy(world.input(), {
      ...APPLY,
      beforeApply: () => writesWhenShown.push(world.fake.writes().length),
    });
    if (outcome.kind !== "applied") throw new Error(`expected an apply, got ${outcome.kind}`);
    // The plan is handed over once, before the first write: a CI log shows it even if the job is cut short.
    expect(writesWhenShown).toEqual([0]);
    expect(outcome.results.map((result) => result.target)).toEqual(["pulsar"]);
    const [pulsar] = outcome.results;
    expect(pulsar?.results.map((result) => result.ok)).toEqual(EXPECTED_CHANGES.map(() => true));
    expect(pulsar?.evidence.join("\n")).toContain("unloaded namespace acme/payments");
    expect(world.fake.writes()[0]?.path).toBe(
      "/admin/v2/namespaces/acme/payments/permissions/dave%40example.com",
    );
    expect(
      world.fake.state.snapshot().namespaces["acme/payments"]?.namespace["dave@example.com"],
    ).toBeUndefined();

    const writes = world.fake.writes().length;
    const again = await applyPolicy(world.input(), APPLY);
    if (again.kind !== "applied") throw new Error(`expected an apply, got ${again.kind}`);
    expect(again.results.flatMap((result) => result.results)).toEqual([]);
    expect(world.fake.writes().length).toBe(writes);
  });

  it("a dry run plans, judges the guards and writes nothing", async () => {
    const outcome = await applyPolicy(world.input(), { ...APPLY, dryRun: true });
    if (outcome.kind !== "planned") throw new Error(`expected a plan, got ${outcome.kind}`);
    expect(changeLines(outcome.plan)).toEqual(EXPECTED_CHANGES);
    expect(world.fake.writes()).toEqual([]);
  });

  it("refuses a mass revocation unless it is allowed, and then applies it", async () => {
    const refused = await applyPolicy(world.input(STRICT_GUARDS), APPLY);
    if (refused.kind !== "refused") throw new Error(`expected a refusal, got ${refused.kind}`);
    expect(refused.refusals.map((finding) => `${finding.target} ${finding.guard}`)).toEqual([
      "pulsar mass-revocation",
    ]);
    expect(refused.refusals[0]?.message).toContain("2 of 4 principals holding access");
    expect(world.fake.writes()).toEqual([]);

    const allowed = await applyPolicy(world.input(STRICT_GUARDS), { ...APPLY, allowMassRevocation: true });
    expect(allowed.kind).toBe("applied");
    expect(world.fake.writes().length).toBeGreaterThan(0);
  });

  it("refuses a saved plan that revokes a principal the policy now protects, before judging staleness", async () => {
    const planned = await planPolicy(world.input());
    if (planned.kind !== "planned") throw new Error(`expected a plan, got ${planned.kind}`);
    const protectDave = {
      ...POLICY_FILES,
      "settings.yaml": POLICY_FILES["settings.yaml"]!.replace(
        "protectedPrincipals: [admin]",
        "protectedPrincipals: [admin, dave@example.com]",
      ),
    };
    const outcome = await applyPolicy(world.input(protectDave), {
      ...APPLY,
      allowMassRevocation: true,
      savedPlan: planned.plan,
    });
    if (outcome.kind !== "refused") throw new Error(`expected a refusal, got ${outcome.kind}`);
    expect(outcome.refusals.map((finding) => finding.guard)).toEqual(["protected-principal"]);
    expect(outcome.refusals[0]?.message).toContain("protected principal dave@example.com");
    expect(world.fake.writes()).toEqual([]);
  });

  it("applies a saved plan while it is current, and refuses it once the target's state moved", async () => {
    const planned = await planPolicy(world.input());
    if (planned.kind !== "planned") throw new Error(`expected a plan, got ${planned.kind}`);

    world.fake.state.grantNamespace("acme/orders", "mallory@example.com", ["produce"]);
    const stale = await applyPolicy(world.input(), { ...APPLY, savedPlan: planned.plan });
    if (stale.kind !== "stale") throw new Error(`expected a stale plan, got ${stale.kind}`);
    expect(stale.reasons).toEqual([
      "the actual state of pulsar changed since the plan was made (someone or something wrote to it)",
    ]);
    expect(world.fake.writes()).toEqual([]);

    const fresh = await planPolicy(world.input());
    if (fresh.kind !== "planned") throw new Error(`expected a plan, got ${fresh.kind}`);
    const applied = await applyPolicy(world.input(), { ...APPLY, savedPlan: fresh.plan });
    if (applied.kind !== "applied") throw new Error(`expected an apply, got ${applied.kind}`);
    expect(applied.plan).toBe(fresh.plan);
    expect(applied.results[0]?.results.every((result) => result.ok)).toBe(true);
  });

  it("refuses a saved plan made from another policy", async () => {
    const planned = await planPolicy(world.input());
    if (planned.kind !== "planned") throw new Error(`expected a plan, got ${planned.kind}`);
    const edited = { ...POLICY_FILES, "access/extra.yaml": "roles: {}\nbindings: []\n" };
    const outcome = await applyPolicy(world.input(edited), { ...APPLY, savedPlan: planned.plan });
    if (outcome.kind !== "stale") throw new Error(`expected a stale plan, got ${outcome.kind}`);
    expect(outcome.reasons[0]).toMatch(/^the policy changed since the plan was made/);
    expect(world.fake.writes()).toEqual([]);
  });
});
