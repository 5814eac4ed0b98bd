import type { Target } from "../target.js";
import { natsPolicy } from "./policy/nats-policy.js";
import type { NatsActual } from "./actual-state.js";
import { applyNatsPlan } from "./apply-nats.js";
import { NatsTargetConnection } from "./connect-nats.js";
import { planNats } from "./plan-nats.js";
import { readNatsActual } from "./read-actual.js";

export interface NatsTargetSession {
  readonly connection: NatsTargetConnection;
}

/** Per-person permissions in a JetStream KV bucket read by `scim-gitops nats-auth` (DESIGN §6, NATS). */
export const natsTarget: Target<NatsTargetSession, NatsActual> = {
  name: natsPolicy.name,
  policy: natsPolicy,
  connectionHint:
    "set NATS_URL and the AUTH-account user (NATS_CREDS or NATS_USER/NATS_PASSWORD), plus NATS_SYS_USER/NATS_SYS_PASSWORD for the live-connection check",
  connect(config) {
    const nats = config.nats();
    if (nats === undefined) return undefined;
    return { connection: new NatsTargetConnection(nats) };
  },
  isManaged(settings) {
    return (natsPolicy.settingsOf(settings)?.manage.accounts.length ?? 0) > 0;
  },
  readActual(session, settings, scope) {
    const nats = natsPolicy.settingsOf(settings);
    if (nats === undefined) {
      return Promise.resolve({ bucket: "", bucketExists: false, entries: {}, unreadable: {} });
    }
    return readNatsActual(session.connection, nats, scope);
  },
  plan: planNats,
  apply(session, plan, _settings, context) {
    // The entries' changedBy names the commit of the change; without one, apply names the plan instead.
    return applyNatsPlan(session.connection, plan, context.revision);
  },
  close(session) {
    return session.connection.close();
  },
};
