import { describe, expect, it } from "vitest";
import { compilePolicy } from "../../src/policy/compile/compile.js";
import { explainPerson } from "../../src/policy/explain/explain.js";
import type { Policy } from "../../src/policy/model/model.js";
import type { PersonExplanation, TargetExplanation } from "../../src/policy/explain/explain.js";
import type { PulsarGrant } from "../../src/targets/pulsar/policy/pulsar-model.js";
import {
  PULSAR_SETTINGS,
  binding,
  namespaceGrant,
  policy,
  role,
  settings,
  teamPolicy,
  user,
} from "./builders.js";

const NOW = new Date("2026-11-29T02:00:00.000Z");
const explain = (source: Policy, userName: string, now = NOW) =>
  explainPerson(source, compilePolicy(source, now), userName, now);

/** One target's part of an explanation (Pulsar's grants typed, for the assertions that read them). */
function on(explanation: PersonExplanation | undefined, target: string): TargetExplanation<PulsarGrant> {
  return explanation?.targets.get(target) as TargetExplanation<PulsarGrant>;
}

describe("explainPerson", () => {
  it("lists the person's groups, the bindings that reach them and each grant's provenance", () => {
    const carol = explain(teamPolicy(), "Carol@Example.com");
    expect(carol).toMatchObject({
      userName: "carol@example.com",
      status: "active",
      groups: ["data-analysts"],
    });
    expect(carol?.bindings.map((b) => [b.subject, b.state])).toEqual([
      ["group:data-analysts", "active"],
      ["user:carol@example.com", "active"],
    ]);
    expect(on(carol, "pulsar").principal).toBe("carol@example.com");
    expect(on(carol, "pulsar").grants.find((g) => g.resource.name === "acme/payments")?.because).toHaveLength(
      2,
    );
  });

  it("marks a binding past its last day as expired, and its grants are gone", () => {
    const carol = explain(teamPolicy(), "carol@example.com", new Date("2027-01-01T00:00:00.000Z"));
    expect(carol?.bindings.find((b) => b.subject.startsWith("user:"))).toMatchObject({
      state: "expired",
      expires: "2026-12-31",
    });
    expect(on(carol, "pulsar").grants.find((g) => g.resource.name === "acme/payments")?.actions).toEqual([
      "consume",
    ]);
  });

  it("names roles a binding refers to that do not exist", () => {
    const source = policy({
      roles: [role("reader", { pulsar: [namespaceGrant("acme/a", ["consume"])] })],
      users: [user("alice")],
      bindings: [binding("user:alice", ["reader", "writer"])],
    });
    expect(explain(source, "alice")?.bindings[0]).toMatchObject({
      state: "missing-roles",
      missingRoles: ["writer"],
    });
  });

  it("says why a person has no principal or nothing on a target", () => {
    const source = policy({
      settings: settings({ pulsar: { ...PULSAR_SETTINGS, principal: "{externalId}" }, nats: undefined }),
      users: [user("alice")],
    });
    const alice = explain(source, "alice");
    expect(on(alice, "pulsar").note).toContain('the template "{externalId}" needs a field');
    expect(on(alice, "nats").note).toContain("not managed");
  });

  it("reports a tombstone as deleted with its principals retired", () => {
    const erin = explain(teamPolicy(), "erin@example.com");
    expect(erin).toMatchObject({ status: "deleted" });
    expect(erin?.retired.get("pulsar")).toEqual(["erin@example.com"]);
    expect(on(erin, "pulsar").grants).toEqual([]);
    expect(on(erin, "pulsar").note).toContain("deleted: holds nothing");
  });

  it("returns undefined for a name the policy does not know", () => {
    expect(explain(teamPolicy(), "nobody@example.com")).toBeUndefined();
  });
});
