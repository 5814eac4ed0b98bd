import type { PlannedChange } from "../../src/plan/plan.js";
import type { Target } from "../../src/targets/target.js";
import { natsPolicy } from "../../src/targets/nats/policy/nats-policy.js";

/**
 * A NATS stand-in whose connection dies between plan and apply: it plans a grant for every NATS principal
 * the policy names (from the compiled access, as a real target would), and its apply throws outright.
 */
export const throwingTarget: Target<{ readonly reason: string }, null> = {
  name: "nats",
  policy: natsPolicy,
  connect: () => ({ reason: "connection reset by peer (the server went away mid-apply)" }),
  isManaged: (settings) => natsPolicy.settingsOf(settings) !== undefined,
  readActual: () => Promise.resolve(null),
  plan(desired) {
    const changes: PlannedChange[] = [...natsPolicy.accessOf(desired).principals].flatMap(
      ([principal, access]) =>
        access.grants.map((grant) => ({
          target: "nats" as const,
          action: "grant" as const,
          principal,
          resource: `account ${grant.account}`,
          before: null,
          after: { publish: grant.publish.allow, subscribe: grant.subscribe.allow },
          narrows: false,
          reason: "wanted by the policy",
          operation: { principal, account: grant.account },
        })),
    );
    return { target: "nats", actualFingerprint: "sha256:none", holders: 0, changes, notices: [] };
  },
  apply(connection) {
    return Promise.reject(new Error(connection.reason));
  },
};
