import { describe, expect, it } from "vitest";
import { compilePolicy } from "../../src/policy/compile/compile.js";
import {
  binding,
  group,
  namespaceGrant,
  natsGrant,
  policy,
  role,
  settings,
  teamPolicy,
  topicGrant,
  user,
  PULSAR_SETTINGS,
} from "./builders.js";
import { pulsarPolicy } from "../../src/targets/pulsar/policy/pulsar-policy.js";
import { natsPolicy } from "../../src/targets/nats/policy/nats-policy.js";

const NOW = new Date("2026-11-29T02:00:00.000Z");

describe("compilePolicy", () => {
  it("grants group members their roles' actions per namespace, merged across roles", () => {
    const access = compilePolicy(teamPolicy(), NOW);
    const bob = pulsarPolicy.accessOf(access).principals.get("bob@example.com");
    expect(bob?.personId).toBe("id-bob-example-com");
    expect(bob?.grants.map((grant) => [grant.resource.kind, grant.resource.name, grant.actions])).toEqual([
      ["namespace", "acme/payments", ["consume", "produce"]],
      ["namespace", "shared/events", ["consume"]],
      ["tenant", "acme", []],
      ["topic", "persistent://acme/payments/ledger", ["consume"]],
    ]);
  });

  it("names binding, role and both file:lines in every grant's provenance", () => {
    const access = compilePolicy(teamPolicy(), NOW);
    const grant = pulsarPolicy
      .accessOf(access)
      .principals.get("alice@example.com")
      ?.grants.find((g) => g.resource.name === "shared/events");
    expect(grant?.because).toEqual([
      {
        subject: "group:payments-engineers",
        binding: expect.objectContaining({ file: "access/teams.yaml" }),
        role: "events-reader",
        roleEntry: expect.objectContaining({ file: "access/teams.yaml" }),
      },
    ]);
  });

  it("unions NATS allows and denies per account, sorted", () => {
    const access = compilePolicy(teamPolicy(), NOW);
    const carol = natsPolicy.accessOf(access).principals.get("carol@example.com")?.grants;
    expect(carol).toEqual([
      expect.objectContaining({
        account: "APP",
        publish: { allow: ["app.events.>"], deny: ["app.events.secret"] },
        subscribe: { allow: ["app.>"], deny: [] },
      }),
      expect.objectContaining({
        account: "PAYMENTS",
        publish: { allow: ["payments.>"], deny: ["payments.>"] },
        subscribe: { allow: ["_INBOX.>", "payments.>"], deny: [] },
      }),
    ]);
  });

  it("gives inactive users and tombstones nothing and retires their principals", () => {
    const access = compilePolicy(teamPolicy(), NOW);
    expect(pulsarPolicy.accessOf(access).principals.has("dave@example.com")).toBe(false);
    expect(natsPolicy.accessOf(access).principals.has("erin@example.com")).toBe(false);
    expect([...pulsarPolicy.accessOf(access).retired]).toEqual(["dave@example.com", "erin@example.com"]);
    expect(access.people.get("id-erin-example-com")).toMatchObject({
      active: false,
      deleted: "2026-11-01T09:00:00.000Z",
      principals: { pulsar: "erin@example.com", nats: "erin@example.com" },
    });
  });

  it("never grants a protected principal through a binding", () => {
    const access = compilePolicy(teamPolicy(), NOW);
    expect(pulsarPolicy.accessOf(access).principals.has("admin")).toBe(false);
    expect(pulsarPolicy.accessOf(access).retired.has("admin")).toBe(false);
  });

  it("keeps an expiring binding through its last UTC day, and drops it the next day", () => {
    const onLastDay = compilePolicy(teamPolicy(), new Date("2026-12-31T23:59:59.999Z"));
    const nextDay = compilePolicy(teamPolicy(), new Date("2027-01-01T00:00:00.000Z"));
    const carolNamespaces = (access: typeof onLastDay) =>
      pulsarPolicy
        .accessOf(access)
        .principals.get("carol@example.com")
        ?.grants.find((g) => g.resource.name === "acme/payments")?.actions;
    expect(carolNamespaces(onLastDay)).toEqual(["consume", "produce"]);
    expect(carolNamespaces(nextDay)).toEqual(["consume"]);
  });

  it("matches group members and user bindings to userNames case-insensitively", () => {
    const access = compilePolicy(
      policy({
        roles: [role("r", { pulsar: [namespaceGrant("acme/a", ["produce"])] })],
        users: [user("Alice@Example.com"), user("bob")],
        groups: [group("Team", ["alice@EXAMPLE.com"])],
        bindings: [binding("group:team", ["r"]), binding("user:BOB", ["r"])],
      }),
      NOW,
    );
    expect([...pulsarPolicy.accessOf(access).principals.keys()]).toEqual(["Alice@Example.com", "bob"]);
  });

  it("ignores grants outside the managed scope and targets without settings", () => {
    const access = compilePolicy(
      policy({
        settings: settings({ nats: undefined }),
        roles: [
          role("r", {
            pulsar: [
              namespaceGrant("other/ns", ["produce"]),
              topicGrant("persistent://shared/events/t", ["consume"]),
              topicGrant("persistent://shared/private/t", ["consume"]),
            ],
            nats: [natsGrant("APP", ["a.>"])],
          }),
        ],
        users: [user("alice")],
        bindings: [binding("user:alice", ["r"])],
      }),
      NOW,
    );
    expect(
      pulsarPolicy
        .accessOf(access)
        .principals.get("alice")
        ?.grants.map((grant) => grant.resource.name),
    ).toEqual(["persistent://shared/events/t"]);
    expect(natsPolicy.accessOf(access).principals.size).toBe(0);
    expect(access.people.get("id-alice")?.principals).toEqual({ pulsar: "alice" });
  });

  it("names principals from the settings template and skips users missing the field", () => {
    const access = compilePolicy(
      policy({
        settings: settings({ pulsar: { ...PULSAR_SETTINGS, principal: "sso-{externalId}" } }),
        roles: [role("r", { pulsar: [namespaceGrant("acme/a", ["consume"])] })],
        users: [user("alice", { externalId: "00u1" }), user("bob")],
        bindings: [binding("user:alice", ["r"]), binding("user:bob", ["r"])],
      }),
      NOW,
    );
    expect([...pulsarPolicy.accessOf(access).principals.keys()]).toEqual(["sso-00u1"]);
    expect(access.people.get("id-bob")?.principals).toEqual({ nats: "bob" });
  });

  it("retires former user names unless an active person holds that principal now", () => {
    const access = compilePolicy(
      policy({
        users: [
          user("alice.smith", { formerUserNames: ["alice", "al"] }),
          user("al", { id: "someone-else" }),
        ],
      }),
      NOW,
    );
    expect([...pulsarPolicy.accessOf(access).retired]).toEqual(["alice"]);
    expect([...natsPolicy.accessOf(access).retired]).toEqual(["alice"]);
  });
});
