import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { readPolicyDir } from "../../src/repos/policy-files.js";
import { formatDiagnostic, hasErrors, loadPolicy } from "../../src/policy/load/load.js";
import { BASE, NOW, load, problems } from "./load-helpers.js";
import { POLICY_TARGETS } from "../../src/targets/registry.js";
import { pulsarPolicy } from "../../src/targets/pulsar/policy/pulsar-policy.js";
import { natsPolicy } from "../../src/targets/nats/policy/nats-policy.js";

describe("loadPolicy on the bundled example", () => {
  it("loads every part of the example without a problem", async () => {
    const files = await readPolicyDir(join(import.meta.dirname, "..", "..", "policies"));
    const { policy, diagnostics } = loadPolicy(files, { dir: "policies", now: NOW, targets: POLICY_TARGETS });
    expect(diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(policy.users.map((user) => [user.userName, user.active])).toContainEqual([
      "dave@example.com",
      false,
    ]);
    expect(policy.groups.find((group) => group.displayName === "data-engineers")?.members).toEqual([
      "frank@example.com",
      "grace@example.com",
      "heidi@example.com",
    ]);
    expect([...policy.roles.keys()].sort()).toEqual([
      "data-pipeline",
      "observability",
      "payments-reader",
      "payments-writer",
      "platform-admin",
      "search-indexer",
    ]);
    expect(policy.bindings.find((binding) => binding.subject.kind === "user")).toMatchObject({
      subject: { kind: "user", name: "carol@example.com" },
      roles: ["payments-reader"],
      expires: "2027-06-30",
      at: { file: "policies/access/payments.yaml", line: 29, col: 5 },
    });
    expect(natsPolicy.entriesOf(policy.roles.get("search-indexer")!)).toEqual([
      {
        account: "APP",
        publish: { allow: ["search.>"], deny: [] },
        subscribe: { allow: ["search.>", "_INBOX.>"], deny: ["search.admin.>"] },
        at: { file: "policies/access/search.yaml", line: 12, col: 9 },
      },
    ]);
    expect(pulsarPolicy.settingsOf(policy.settings)).toMatchObject({
      manage: { tenants: ["acme"], namespaces: ["shared/events"] },
      protectedPrincipals: ["admin"],
    });
    expect(natsPolicy.settingsOf(policy.settings)).toMatchObject({
      manage: { accounts: ["APP", "PAYMENTS"] },
      bucket: "scim-gitops-access",
    });
    expect(policy.settings).toMatchObject({ guards: { maxRevocations: { percent: 25 }, minRevocations: 5 } });
  });
});

describe("loadPolicy", () => {
  it("fills in DESIGN §3 defaults for everything settings.yaml leaves out", () => {
    const { policy, diagnostics } = load({
      "settings.yaml": "version: 1\npulsar:\n  manage:\n    tenants: [acme]\nnats: {}\n",
    });
    expect(diagnostics.filter((diagnostic) => diagnostic.severity === "error")).toEqual([]);
    expect(policy.settings).toEqual({
      version: 1,
      targets: new Map<string, unknown>([
        [
          "pulsar",
          {
            principal: "{userName}",
            manage: { tenants: ["acme"], namespaces: [] },
            protectedPrincipals: [],
            unloadOnRevoke: true,
            prune: false,
          },
        ],
        [
          "nats",
          {
            principal: "{userName}",
            manage: { accounts: [] },
            protectedPrincipals: [],
            bucket: "scim-gitops-access",
          },
        ],
      ]),
      guards: { maxRevocations: { percent: 25 }, minRevocations: 5 },
      emergency: { triggers: ["deactivated", "deleted"], merge: "direct", expiry: false },
      expiry: { warnWithinDays: 14 },
      at: { file: "p/settings.yaml", line: 1, col: 1 },
    });
  });

  it("accepts a revocation limit as a share or as a count", () => {
    const settings = (limit: string) =>
      load({ "settings.yaml": `${BASE["settings.yaml"]}guards:\n  maxRevocations: ${limit}\n` }).policy
        .settings.guards;
    expect(settings("10").maxRevocations).toEqual({ count: 10 });
    expect(settings("12.5%").maxRevocations).toEqual({ percent: 12.5 });
    expect(
      problems({ "settings.yaml": `${BASE["settings.yaml"]}guards:\n  maxRevocations: 150%\n` }),
    ).toEqual([
      'p/settings.yaml:11:19: error: "150%" is not a share; write a percentage such as "25%" or a whole number such as 10',
    ]);
  });

  it("reports a missing settings.yaml and still loads the rest", () => {
    const { policy, diagnostics } = load({ "settings.yaml": undefined });
    expect(diagnostics.map(formatDiagnostic)).toContain(
      "p/settings.yaml:1:1: error: settings.yaml is missing; create it with `version: 1` and the managed scope",
    );
    expect(policy.users).toHaveLength(2);
    expect(pulsarPolicy.settingsOf(policy.settings)).toBeUndefined();
  });

  it("refuses a second settings file", () => {
    expect(problems({ "settings.yml": "version: 1\n" })).toEqual([
      "p/settings.yml:1:1: error: a second settings file beside p/settings.yaml; keep one of them",
    ]);
  });

  it("keeps fields a person added to identity files, and rejects unknown keys everywhere else", () => {
    expect(
      problems({
        "identities/users/alice-example-com.yaml": `${BASE["identities/users/alice-example-com.yaml"]}team: payments # added by hand\n`,
        "identities/groups/eng.yaml": `${BASE["identities/groups/eng.yaml"]}owner: carol\n`,
      }),
    ).toEqual([]);
    expect(problems({ "settings.yaml": `${BASE["settings.yaml"]}gards:\n  minRevocations: 2\n` })).toEqual([
      "p/settings.yaml:10:1: error: unknown key `gards` in settings.yaml; did you mean `guards`?",
    ]);
  });

  it("names wrong types and missing fields where they are, and leaves such an identity out", () => {
    const { policy, diagnostics } = load({
      "identities/users/alice-example-com.yaml": 'id: u1\nuserName: alice@example.com\nactive: "yes"\n',
      "identities/users/bob.yaml": "id: u2\ndisplayName: Bob\nactive: true\n",
    });
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'p/identities/users/alice-example-com.yaml:3:9: error: `active` must be true or false, not the text "yes"; write true or false here',
      "p/identities/users/bob.yaml:1:1: error: a user file has no `userName`; add `userName:` (text)",
    ]);
    expect(policy.users.map((user) => [user.userName, user.active])).toEqual([
      ["admin", true],
      ["alice@example.com", false],
    ]);
  });

  it("reports a YAML syntax error at its position and still loads every other file", () => {
    const { policy, diagnostics } = load({
      "identities/groups/ops.yaml": "id: g2\ndisplayName: ops\nmembers: [a, b\n",
    });
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      "p/identities/groups/ops.yaml:4:1: error: flow sequence in block collection must be sufficiently indented and end with a ]; fix the YAML syntax here",
    ]);
    expect(hasErrors(diagnostics)).toBe(true);
    expect(policy.roles.has("reader")).toBe(true);
    expect(policy.groups.map((group) => group.displayName)).toEqual(["eng"]);
  });

  it("reports the first few of a cascade of YAML errors, then says more follow", () => {
    const found = problems({ "identities/groups/ops.yaml": "a: ]\nb: ]\nc: ]\nd: ]\ne: ]\nf: ]\ng: ]\n" });
    expect(found).toHaveLength(6);
    expect(found.at(-1)).toMatch(
      /error: more YAML errors follow; fix the ones above first and validate again$/,
    );
  });

  it("rejects a duplicate key as the YAML error it is", () => {
    expect(
      problems({ "identities/users/admin.yaml": "id: u0\nuserName: admin\nactive: true\nactive: false\n" }),
    ).toEqual([
      "p/identities/users/admin.yaml:4:1: error: map keys must be unique; fix the YAML syntax here",
    ]);
  });

  it("gives positions for files with Windows line endings and YAML the fast path does not take", () => {
    const crlf = BASE["access/base.yaml"]!.replaceAll("\n", "\r\n").replace("reader]", "rader]");
    expect(problems({ "access/base.yaml": crlf })).toEqual([
      "p/access/base.yaml:8:13: error: role `rader` is not defined in any access file; did you mean `reader`?",
    ]);
    const anchors =
      "roles:\n  reader:\n    pulsar:\n      - &ns\n        namespace: acme/payments\n        actions: [consume]\n      - *ns\n";
    expect(
      problems({ "access/base.yaml": `${anchors}bindings:\n  - group: eng\n    roles: [reader]\n` }),
    ).toEqual([
      "p/access/base.yaml:7:9: warning: role `reader` names namespace acme/payments twice; merge the actions into one entry",
    ]);
  });

  it("records where each role, entry and binding was written", () => {
    const { policy } = load();
    const role = policy.roles.get("reader");
    expect(role?.at).toEqual({ file: "p/access/base.yaml", line: 2, col: 3 });
    expect(pulsarPolicy.entriesOf(role!)[0]?.at).toEqual({ file: "p/access/base.yaml", line: 4, col: 9 });
    expect(policy.bindings[0]?.at).toEqual({ file: "p/access/base.yaml", line: 7, col: 5 });
    expect(policy.users.find((user) => user.userName === "admin")?.at).toEqual({
      file: "p/identities/users/admin.yaml",
      line: 1,
      col: 1,
    });
  });

  it("warns about files that are not part of the format", () => {
    expect(problems({ "roles.yaml": "roles: {}\n" })).toEqual([
      "p/roles.yaml:1:1: warning: this file is not part of the policy format and is ignored; move it under access/ or remove it",
    ]);
  });

  it("gives the same result whatever order the files come in", () => {
    const forward = load();
    const files = new Map(Object.entries(BASE).reverse());
    const backward = loadPolicy(files, { dir: "p", now: NOW, targets: POLICY_TARGETS });
    expect(backward).toEqual(forward);
  });
});
