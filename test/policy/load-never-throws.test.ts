import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { stringify } from "yaml";
import { loadPolicy } from "../../src/policy/load/load.js";
import { BASE, NOW } from "./load-helpers.js";
import { POLICY_TARGETS } from "../../src/targets/registry.js";

const PATHS = [
  "settings.yaml",
  "access/a.yaml",
  "access/b.yaml",
  "identities/users/u.yaml",
  "identities/groups/g.yaml",
];
const KEYS = [
  "version",
  "pulsar",
  "nats",
  "guards",
  "emergency",
  "manage",
  "tenants",
  "namespaces",
  "accounts",
  "roles",
  "bindings",
  "group",
  "user",
  "expires",
  "namespace",
  "topic",
  "tenantAdmin",
  "actions",
  "account",
  "publish",
  "subscribe",
  "allow",
  "deny",
  "id",
  "userName",
  "active",
  "members",
  "emails",
  "deleted",
  "maxRevocations",
];

/** Any shape of value under the format's own keys: the loader must report, never throw. */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom(
      null,
      true,
      1,
      -1,
      2.5,
      "",
      "acme",
      "acme/payments",
      "persistent://acme/p/t",
      "a..b",
      "25%",
      "2020-01-01",
    ),
    fc.string({ maxLength: 8 }),
    fc.array(tie("node"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie("node"), { maxKeys: 4 }),
  ),
})).node;

describe("loadPolicy on anything", () => {
  it("reports, and never throws, whatever shapes the files hold", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...PATHS), value, { maxKeys: 5 }), (shapes) => {
        const files = new Map(Object.entries(shapes).map(([path, shape]) => [path, stringify(shape)]));
        const { diagnostics } = loadPolicy(files, { dir: "p", now: NOW, targets: POLICY_TARGETS });
        for (const diagnostic of diagnostics) {
          expect(diagnostic.at.line).toBeGreaterThanOrEqual(1);
          expect(diagnostic.at.col).toBeGreaterThanOrEqual(1);
          expect(diagnostic.message).toMatch(/; /);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on arbitrary text, and points inside the file it blames", () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), fc.string({ maxLength: 80 }), (path, text) => {
        const files = new Map(Object.entries({ ...BASE, [path]: text }));
        const { diagnostics } = loadPolicy(files, { dir: "p", now: NOW, targets: POLICY_TARGETS });
        const lines = text.split("\n").length;
        for (const diagnostic of diagnostics.filter((item) => item.at.file === `p/${path}`)) {
          expect(diagnostic.at.line).toBeLessThanOrEqual(lines);
        }
      }),
      { numRuns: 500 },
    );
  });
});
