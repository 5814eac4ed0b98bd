import { loadConfig } from "../../src/config.js";
import { compilePolicy } from "../../src/policy/compile/compile.js";
import type { Role, UserIdentity } from "../../src/policy/model/model.js";
import type { TargetApplyResult, TargetPlan } from "../../src/plan/plan.js";
import { natsTarget, type NatsTargetSession } from "../../src/targets/nats/nats-target.js";
import { binding, natsGrant, policy, role, settings, user } from "../policy/builders.js";
import type { RunningNatsServer } from "../support/nats-server.js";
import { BUCKET } from "./fixture.js";

export const NOW = new Date("2026-11-29T00:00:00Z");
export const SETTINGS = settings({
  nats: {
    principal: "{userName}",
    manage: { accounts: ["APP", "PAYMENTS"] },
    protectedPrincipals: ["admin"],
    bucket: BUCKET,
  },
});

/** Roles as a policy repository would hold them: app users, app readers, payments. */
export function roles(appPublish: string[] = ["app.>"]): Role[] {
  return [
    role("app-user", { nats: [natsGrant("APP", appPublish, ["app.>", "_INBOX.>"])] }),
    role("payments", { nats: [natsGrant("PAYMENTS", ["payments.>"], ["payments.>"])] }),
  ];
}

/** Everyone in `people` holds app-user; those inactive are retired. */
export function desiredFor(people: UserIdentity[], roleSet: Role[] = roles()) {
  return compilePolicy(
    policy({
      settings: SETTINGS,
      roles: roleSet,
      users: people,
      bindings: people.map((person) => binding(`user:${person.userName}`, ["app-user"])),
    }),
    NOW,
  );
}

export function targetSession(server: RunningNatsServer): NatsTargetSession {
  const config = loadConfig({
    NATS_URL: server.url,
    NATS_USER: server.auth.user,
    NATS_PASSWORD: server.auth.password,
    NATS_SYS_USER: server.sys.user,
    NATS_SYS_PASSWORD: server.sys.password,
  });
  const session = natsTarget.connect(config);
  if (session === undefined) throw new Error("NATS_URL not taken");
  return session;
}

/** plan + apply the way `scim-gitops apply` does. */
export async function applyPolicy(
  session: NatsTargetSession,
  people: UserIdentity[],
  roleSet?: Role[],
): Promise<{ plan: TargetPlan; result: TargetApplyResult }> {
  const actual = await natsTarget.readActual(session, SETTINGS);
  const plan = natsTarget.plan(desiredFor(people, roleSet), SETTINGS, actual);
  return { plan, result: await natsTarget.apply(session, plan, SETTINGS, { revision: "0123abcd" }) };
}

export { user };
