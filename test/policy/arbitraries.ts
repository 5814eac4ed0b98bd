import fc from "fast-check";
import type { Binding, Policy, Role } from "../../src/policy/model/model.js";
import type { TargetEntry } from "../../src/policy/targets/target-policy.js";
import type { NatsRoleEntry } from "../../src/targets/nats/policy/nats-model.js";
import {
  PULSAR_ACTIONS,
  type PulsarAction,
  type PulsarRoleEntry,
} from "../../src/targets/pulsar/policy/pulsar-model.js";
import type { EffectiveAccess } from "../../src/policy/model/effective-access.js";
import { at, group, policy, user } from "./builders.js";

/**
 * Small random policies over a fixed vocabulary, so bindings, groups and roles actually meet. userNames are
 * unique case-insensitively, as SCIM guarantees; case varies between users, members and bindings.
 */
const USER_NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "admin"];
const GROUP_NAMES = ["payments", "data", "platform", "ops"];
const ROLE_NAMES = ["writer", "reader", "admin", "observer", "auditor"];
const NAMESPACES = ["acme/payments", "acme/orders", "shared/events", "other/private"];
const TOPICS = [
  "persistent://acme/payments/ledger",
  "non-persistent://shared/events/ticks",
  "persistent://x/y/z",
];
const ACCOUNTS = ["APP", "PAYMENTS", "UNMANAGED"];
const SUBJECTS = ["app.>", "app.events.*", "payments.>", "_INBOX.>", "orders.created"];

const caseOf = (name: string) =>
  fc.constantFrom(name, name.toUpperCase(), name[0]!.toUpperCase() + name.slice(1));
const someOf = <T>(values: readonly T[], maxLength = values.length, minLength = 0) =>
  fc.uniqueArray(fc.constantFrom(...values), { minLength, maxLength });

const actions = someOf<PulsarAction>(PULSAR_ACTIONS, 3, 1);
let line = 0;
const place = () => at("access/generated.yaml", ++line);

const pulsarEntry: fc.Arbitrary<PulsarRoleEntry> = fc.oneof(
  fc
    .record({ namespace: fc.constantFrom(...NAMESPACES), actions })
    .map((e) => ({ kind: "namespace" as const, ...e, at: place() })),
  fc
    .record({ topic: fc.constantFrom(...TOPICS), actions })
    .map((e) => ({ kind: "topic" as const, ...e, at: place() })),
  fc.constantFrom("acme", "other").map((tenant) => ({ kind: "tenantAdmin" as const, tenant, at: place() })),
);

const permissions = (withDenies: boolean) =>
  fc.record({ allow: someOf(SUBJECTS, 3), deny: withDenies ? someOf(SUBJECTS, 2) : fc.constant([]) });

const natsEntry = (withDenies: boolean): fc.Arbitrary<NatsRoleEntry> =>
  fc
    .record({
      account: fc.constantFrom(...ACCOUNTS),
      publish: permissions(withDenies),
      subscribe: permissions(withDenies),
    })
    .map((e) => ({ ...e, at: place() }));

const roleOf = (name: string, withDenies: boolean): fc.Arbitrary<Role> =>
  fc
    .record({
      pulsar: fc.array(pulsarEntry, { minLength: 1, maxLength: 3 }),
      nats: fc.array(natsEntry(withDenies), { minLength: 1, maxLength: 2 }),
    })
    .map((grants) => ({
      name,
      entries: new Map<string, readonly TargetEntry[]>([
        ["pulsar", grants.pulsar],
        ["nats", grants.nats],
      ]),
      at: place(),
    }));

const bindingArb: fc.Arbitrary<Binding> = fc
  .record({
    subject: fc.oneof(
      fc
        .constantFrom(...GROUP_NAMES)
        .chain(caseOf)
        .map((name) => ({ kind: "group" as const, name })),
      fc
        .constantFrom(...USER_NAMES)
        .chain(caseOf)
        .map((name) => ({ kind: "user" as const, name })),
    ),
    roles: someOf([...ROLE_NAMES, "missing-role"], 3, 1),
    expires: fc.constantFrom(undefined, undefined, undefined, "2026-01-01", "2026-11-29", "2027-06-30"),
  })
  .map(({ expires, ...rest }) => ({ ...rest, ...(expires === undefined ? {} : { expires }), at: place() }));

export function policyArb(options: { withDenies: boolean }): fc.Arbitrary<Policy> {
  const users = someOf(USER_NAMES, 8, 5).chain((names) =>
    fc.tuple(
      ...names.map((name) =>
        fc
          .record({
            userName: caseOf(name),
            active: fc.constantFrom(true, true, true, false),
            deleted: fc.constantFrom(undefined, undefined, undefined, undefined, "2026-10-01T00:00:00.000Z"),
            formerUserNames: someOf(["old-" + name], 1),
          })
          .map(({ userName, deleted, ...rest }) =>
            user(userName, { ...rest, id: `id-${name}`, ...(deleted === undefined ? {} : { deleted }) }),
          ),
      ),
    ),
  );
  const groups = someOf(GROUP_NAMES, 4, 3).chain((names) =>
    fc.tuple(
      ...names.map((name) =>
        fc
          .uniqueArray(fc.constantFrom(...USER_NAMES).chain(caseOf), {
            minLength: 1,
            maxLength: 5,
            selector: (m) => m.toLowerCase(),
          })
          .map((members) => group(name, members)),
      ),
    ),
  );
  const roles = someOf(ROLE_NAMES, 5, 4).chain((names) =>
    fc.tuple(...names.map((name) => roleOf(name, options.withDenies))),
  );
  return fc
    .record({ users, groups, roles, bindings: fc.array(bindingArb, { maxLength: 8 }) })
    .map((parts) => policy(parts));
}

/** Maps as ordered entry lists, so deep equality also checks the documented sorted order. */
export function plainAccess(access: EffectiveAccess): unknown {
  return {
    people: [...access.people.entries()],
    targets: [...access.targets].map(([name, target]) => [
      name,
      [...target.principals.entries()],
      [...target.retired],
    ]),
  };
}
