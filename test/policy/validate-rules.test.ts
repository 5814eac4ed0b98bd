import { describe, expect, it } from "vitest";
import { checkNatsSubject } from "../../src/targets/nats/policy/nats-names.js";
import {
  checkPulsarNamespace,
  checkPulsarTenant,
  checkPulsarTopic,
} from "../../src/targets/pulsar/policy/pulsar-names.js";
import { BASE, problems, roleFile } from "./load-helpers.js";

const GROUP_BINDING = "  - group: eng\n    roles: [extra]";

describe("Pulsar names and actions", () => {
  it.each(["acme", "acme-prod", "a.b_c=d:e"])("accepts tenant %s", (name) => {
    expect(checkPulsarTenant(name)).toBeUndefined();
  });

  it.each([
    ["acme/payments", undefined],
    ["acme", "write it as tenant/namespace"],
    ["acme/cluster/payments", "write a namespace as tenant/namespace"],
    ["acme/pay ments", "use only letters, digits"],
  ])("namespace %s", (name, problem) => {
    const message = checkPulsarNamespace(name);
    if (problem === undefined) expect(message).toBeUndefined();
    else expect(message).toContain(problem);
  });

  it.each([
    ["persistent://acme/payments/ledger", undefined],
    ["non-persistent://acme/payments/live", undefined],
    ["acme/payments/ledger", "e.g. persistent://acme/payments/ledger"],
    ["persistent://acme/payments/", "invalid topic part"],
    ["persistent://acme/payments/a/b", "invalid topic part"],
    ["persistent://ac me/payments/x", "invalid tenant or namespace"],
    ["kafka://acme/payments/x", "is not a Pulsar topic name"],
  ])("topic %s", (name, problem) => {
    const message = checkPulsarTopic(name);
    if (problem === undefined) expect(message).toBeUndefined();
    else expect(message).toContain(problem);
  });

  it("reports an unknown action and a malformed name at their positions", () => {
    const body = "pulsar:\n  - namespace: acme\n    actions: [produce, write]";
    expect(problems({ "access/extra.yaml": roleFile(body, GROUP_BINDING) })).toEqual([
      'p/access/extra.yaml:4:20: error: "acme" is not a Pulsar namespace; write it as tenant/namespace, e.g. acme/payments',
      'p/access/extra.yaml:5:28: error: an item of `actions` is "write", which is not known; use one of produce, consume, functions, sources, sinks, packages',
    ]);
  });

  it("reports a misspelt required key once, with the right spelling", () => {
    const body = "pulsar:\n  - namespace: acme/payments\n    action: [consume]";
    expect(problems({ "access/extra.yaml": roleFile(body, GROUP_BINDING) })).toEqual([
      "p/access/extra.yaml:5:9: error: unknown key `action` in a Pulsar namespace grant; did you mean `actions`?",
    ]);
  });

  it("requires exactly one of namespace, topic or tenantAdmin in an entry", () => {
    const body =
      "pulsar:\n  - namespace: acme/a\n    topic: persistent://acme/a/t\n    actions: [consume]\n  - actions: [consume]";
    expect(problems({ "access/extra.yaml": roleFile(body, GROUP_BINDING) })).toEqual([
      "p/access/extra.yaml:4:9: error: a role's `pulsar` entry has both `namespace` and `topic`; split it into one entry for each",
      "p/access/extra.yaml:7:9: error: a role's `pulsar` entry has none of `namespace`, `topic`, `tenantAdmin`; add exactly one of them",
    ]);
  });
});

describe("NATS subjects", () => {
  it.each(["orders.>", "orders.*.created", ">", "*", "_INBOX.>", "$JS.API.INFO"])("accepts %s", (subject) => {
    expect(checkNatsSubject(subject)).toBeUndefined();
  });

  it.each([
    ["", "empty subject"],
    ["orders..created", "empty token"],
    [".orders", "empty token"],
    ["orders.", "empty token"],
    ["orders.>.created", "must come last"],
    ["orders.created>", "> must be a whole token"],
    ["orders.*created", "* must be a whole token"],
    ["orders created", "whitespace"],
  ])("rejects %j", (subject, problem) => {
    expect(checkNatsSubject(subject)).toContain(problem);
  });

  it("reports a bad subject inside {allow, deny} at its position", () => {
    const body = 'nats:\n  - account: APP\n    subscribe:\n      allow: ["a.>"]\n      deny: ["b.>.c"]';
    expect(problems({ "access/extra.yaml": roleFile(body, GROUP_BINDING) })).toEqual([
      'p/access/extra.yaml:7:18: error: "b.>.c" has > before its last token; > matches the rest of a subject, so it must come last',
    ]);
  });

  it("refuses a NATS entry with no subjects, which NATS would read as everything", () => {
    expect(problems({ "access/extra.yaml": roleFile("nats:\n  - account: APP", GROUP_BINDING) })).toEqual([
      "p/access/extra.yaml:4:9: error: the `nats` entry for account APP lists no subjects; add `publish:` or `subscribe:` (an empty permission set means everything to NATS)",
    ]);
  });
});

describe("managed scope", () => {
  it("rejects grants outside the namespaces, tenants and accounts settings.yaml manages", () => {
    const body = [
      "pulsar:",
      "  - namespace: other/payments",
      "    actions: [consume]",
      "  - topic: persistent://shared/other/t",
      "    actions: [consume]",
      "  - tenantAdmin: shared",
      "  - topic: persistent://shared/events/ok",
      "    actions: [consume]",
      "nats:",
      "  - account: PAYMENTS",
      '    publish: ["p.>"]',
    ].join("\n");
    expect(problems({ "access/extra.yaml": roleFile(body, GROUP_BINDING) })).toEqual([
      "p/access/extra.yaml:4:9: error: namespace other/payments is outside the managed scope; add its tenant to `pulsar.manage.tenants` or its namespace to `pulsar.manage.namespaces` in settings.yaml, or remove this entry",
      "p/access/extra.yaml:6:9: error: topic persistent://shared/other/t is outside the managed scope; add its tenant to `pulsar.manage.tenants` or its namespace to `pulsar.manage.namespaces` in settings.yaml, or remove this entry",
      "p/access/extra.yaml:8:9: error: tenant shared is outside the managed scope; add shared to `pulsar.manage.tenants` in settings.yaml (tenant admin needs the whole tenant managed), or remove this entry",
      "p/access/extra.yaml:12:9: error: NATS account PAYMENTS is outside the managed scope; add it to `nats.manage.accounts` in settings.yaml or remove this entry",
    ]);
  });

  it("says so when settings.yaml manages no Pulsar at all", () => {
    expect(problems({ "settings.yaml": "version: 1\n" })).toEqual([
      "p/access/base.yaml:4:9: error: namespace acme/payments is not managed: settings.yaml has no `pulsar:` section; add `pulsar.manage` or remove this entry",
    ]);
  });
});

describe("settings", () => {
  it("warns about a single namespace already managed through its tenant", () => {
    const settings = BASE["settings.yaml"]!.replace(
      "namespaces: [shared/events]",
      "namespaces: [shared/events, acme/payments]",
    );
    expect(problems({ "settings.yaml": settings })).toEqual([
      "p/settings.yaml:5:33: warning: namespace acme/payments is already managed through tenant acme; remove it from `pulsar.manage.namespaces`",
    ]);
  });

  it("names an unsupported format version", () => {
    expect(problems({ "settings.yaml": BASE["settings.yaml"]!.replace("version: 1", "version: 2") })).toEqual(
      ["p/settings.yaml:1:10: error: `version` is 2; write 1"],
    );
  });
});

describe("identities", () => {
  it("warns about a tombstone that still says active", () => {
    const tombstone = "id: u3\nuserName: zed@example.com\nactive: true\ndeleted: 2026-11-01T10:00:00Z\n";
    expect(problems({ "identities/users/zed-example-com.yaml": tombstone })).toEqual([
      "p/identities/users/zed-example-com.yaml:1:1: warning: user `zed@example.com` has `deleted` set but `active: true`; it is treated as deleted and gets nothing, so set `active: false` (or remove `deleted` if the person is back)",
    ]);
  });
});

describe("principals", () => {
  it("rejects two active people who would become one principal, and warns about one who becomes none", () => {
    const settings = BASE["settings.yaml"]!.replace("pulsar:\n", 'pulsar:\n  principal: "{emails[0]}"\n');
    expect(
      problems({
        "settings.yaml": settings,
        "identities/users/alias.yaml":
          "id: u5\nuserName: alice.alias@example.com\nactive: true\nemails: [alice@example.com]\n",
      }),
    ).toEqual(
      [
        "p/identities/users/admin.yaml:1:1: warning: user `admin` has no Pulsar principal: a field {emails[0]} needs is empty, so they get nothing on Pulsar; wait for the IdP to send it, or change the `principal` template in settings.yaml",
        'p/identities/users/alice-example-com.yaml:1:1: error: user `alice@example.com` becomes Pulsar principal alice@example.com, as `alice.alias@example.com` (p/identities/users/alias.yaml) does, so they would share access; use a `principal` template in settings.yaml that tells people apart, such as "{userName}"',
      ].sort(),
    );
  });
});

describe("references", () => {
  it("is an error to bind a role nobody defined, and a warning to bind identities the IdP has not pushed", () => {
    const bindings =
      "bindings:\n  - group: ops\n    roles: [reader, writer]\n  - user: zoe@example.com\n    roles: [reader]\n";
    expect(problems({ "access/more.yaml": bindings })).toEqual([
      'p/access/more.yaml:2:12: warning: group `ops` has not been pushed by the IdP (no file in identities/groups has displayName "ops"); check the spelling, or expect it to apply once the IdP syncs it',
      "p/access/more.yaml:3:21: error: role `writer` is not defined in any access file; define it under `roles:` or fix the name",
      'p/access/more.yaml:4:11: warning: user `zoe@example.com` has not been pushed by the IdP (no file in identities/users has userName "zoe@example.com"); check the spelling, or expect it to apply once the IdP syncs it',
    ]);
  });

  it("matches groups and users case-insensitively, as SCIM does", () => {
    expect(
      problems({ "access/more.yaml": "bindings:\n  - user: Alice@Example.com\n    roles: [reader]\n" }),
    ).toEqual([]);
  });

  it("warns about group members with no user file", () => {
    expect(
      problems({
        "identities/groups/eng.yaml": `${BASE["identities/groups/eng.yaml"]}  - zoe@example.com\n`,
      }),
    ).toEqual([
      "p/identities/groups/eng.yaml:1:1: warning: group `eng` lists a member with no user file (zoe@example.com); they get nothing until the IdP pushes them",
    ]);
  });

  it("needs exactly one of group or user in a binding", () => {
    const bindings =
      "bindings:\n  - group: eng\n    user: alice@example.com\n    roles: [reader]\n  - roles: [reader]\n";
    expect(problems({ "access/more.yaml": bindings })).toEqual([
      "p/access/more.yaml:2:5: error: a binding names both a `group` and a `user`; split it into two bindings",
      "p/access/more.yaml:5:5: error: a binding names no `group` or `user`; add one of them",
    ]);
  });
});

describe("duplicates", () => {
  it("rejects a role defined in two files, pointing at the first", () => {
    const again =
      "roles:\n  reader:\n    pulsar:\n      - namespace: acme/search\n        actions: [consume]\n";
    expect(problems({ "access/zz.yaml": again })).toEqual([
      "p/access/zz.yaml:2:3: error: role `reader` is already defined at p/access/base.yaml:2:3; rename one of them or merge them",
    ]);
  });

  it("rejects two identity files for one SCIM id, userName (any case) or group name", () => {
    expect(
      problems({
        "identities/users/alice-2.yaml": "id: u9\nuserName: ALICE@example.com\nactive: true\n",
        "identities/users/other.yaml": "id: u1\nuserName: other@example.com\nactive: true\n",
        "identities/groups/eng-2.yaml": "id: g2\ndisplayName: Eng\n",
      }),
    ).toEqual(
      [
        'p/identities/groups/eng.yaml:1:1: error: this group has the same displayName ("eng") as p/identities/groups/eng-2.yaml:1:1; keep one file per identity and delete the other',
        'p/identities/users/other.yaml:1:1: error: this user has the same SCIM id ("u1") as p/identities/users/alice-example-com.yaml:1:1; keep one file per identity and delete the other',
        'p/identities/users/alice-example-com.yaml:1:1: error: this user has the same userName ("alice@example.com") as p/identities/users/alice-2.yaml:1:1; keep one file per identity and delete the other',
      ].sort(),
    );
  });
});

describe("expiry", () => {
  const binding = (expires: string) => ({
    "access/more.yaml": `bindings:\n  - user: alice@example.com\n    roles: [reader]\n    expires: ${expires}\n`,
  });

  it("warns about a binding whose expiry date has passed (UTC)", () => {
    expect(problems(binding("2026-11-28"))).toEqual([
      "p/access/more.yaml:4:14: warning: the binding of user `alice@example.com` expired on 2026-11-28 and grants nothing; remove it, or set a later `expires` if it is still needed",
    ]);
  });

  it("keeps a binding valid through its expiry day", () => {
    expect(problems(binding("2026-11-29"))).toEqual([]);
    expect(problems(binding("2026-11-28"), new Date("2026-11-28T23:59:59Z"))).toEqual([]);
  });

  it("rejects something that is not a calendar date", () => {
    expect(problems(binding("2026-02-30"))).toEqual([
      'p/access/more.yaml:4:14: error: "2026-02-30" is not a date; write YYYY-MM-DD, e.g. 2027-06-30',
    ]);
  });
});

describe("overlaps", () => {
  it("warns when a role is bound twice to the same subject", () => {
    const bindings =
      "bindings:\n  - group: ENG\n    roles: [reader]\n  - user: alice@example.com\n    roles: [reader, reader]\n";
    expect(problems({ "access/more.yaml": bindings })).toEqual([
      "p/access/more.yaml:3:13: warning: role `reader` is already bound to group `ENG` by the binding at p/access/base.yaml:7:5; remove one of them",
      "p/access/more.yaml:5:21: warning: role `reader` is already bound to user `alice@example.com` earlier in this binding; remove one of them",
    ]);
  });

  it("warns when a topic grant is already covered by the role's namespace grant", () => {
    const body = [
      "pulsar:",
      "  - namespace: acme/payments",
      "    actions: [produce, consume]",
      "  - topic: persistent://acme/payments/ledger",
      "    actions: [consume]",
      "  - topic: persistent://acme/payments/admin",
      "    actions: [consume, functions]",
    ].join("\n");
    expect(problems({ "access/extra.yaml": roleFile(body, GROUP_BINDING) })).toEqual([
      "p/access/extra.yaml:6:9: warning: topic persistent://acme/payments/ledger is already covered by this role's grant on namespace acme/payments; remove the topic entry",
    ]);
  });
});

describe("protected principals", () => {
  it("is an error to bind a protected principal directly", () => {
    expect(problems({ "access/more.yaml": "bindings:\n  - user: admin\n    roles: [reader]\n" })).toEqual([
      "p/access/more.yaml:2:11: error: user `admin` is the protected principal admin on pulsar, which bindings never grant to; remove this binding, or remove the principal from `protectedPrincipals` in settings.yaml",
    ]);
  });

  it("only warns when a protected principal is in a bound group, since the IdP owns membership", () => {
    const eng = `${BASE["identities/groups/eng.yaml"]}  - admin\n`;
    expect(problems({ "identities/groups/eng.yaml": eng })).toEqual([
      "p/access/base.yaml:7:12: warning: group `eng` includes the protected principal admin on pulsar; this binding grants them nothing and they keep the access they have outside scim-gitops",
    ]);
  });

  it("rejects a principal template naming a field users do not have", () => {
    const settings = BASE["settings.yaml"]!.replace("pulsar:\n", 'pulsar:\n  principal: "{email}"\n');
    expect(problems({ "settings.yaml": settings })).toEqual([
      "p/settings.yaml:3:14: error: {email} is not a user field a principal can use; use {userName}, {id}, {externalId}, {emails[0]}",
    ]);
  });
});
