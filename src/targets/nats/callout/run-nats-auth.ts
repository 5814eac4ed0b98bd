import { Events, type NatsConnection } from "nats";
import type { NatsAuthConfig, NatsConnectionConfig } from "../../../config.js";
import { connectNats } from "../connect-nats.js";
import { startCallout, type RunningCallout } from "./callout-service.js";
import { buildHealthReport, serveHealth, type HealthEndpoint } from "./health-endpoint.js";
import { createTokenVerifier } from "./oidc-verifier.js";

export class NatsAuthConfigError extends Error {
  override name = "NatsAuthConfigError";
}

/** `1h`, `30m`, `90s`, `2h30m` or plain seconds. */
export function parseDuration(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  const seconds =
    match === null ? 0 : Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  if (seconds <= 0)
    throw new NatsAuthConfigError(`NATS_AUTH_JWT_TTL=${text} is not a duration: use e.g. 1h, 30m or 3600`);
  return seconds;
}

export interface NatsAuthService {
  readonly callout: RunningCallout;
  /** Present with a health port. */
  readonly health?: HealthEndpoint;
  stop(): Promise<void>;
}

/** Connects, checks the configuration, and starts answering callouts (DESIGN §9, `scim-gitops nats-auth`). */
export async function runNatsAuth(
  connection: NatsConnectionConfig,
  auth: NatsAuthConfig,
  bucket: string,
  log: (line: string) => void,
): Promise<NatsAuthService> {
  const missing = [
    auth.issuerSeed === undefined ? "NATS_AUTH_ISSUER_SEED" : undefined,
    auth.oidcIssuer === undefined ? "OIDC_ISSUER" : undefined,
    auth.oidcAudience === undefined ? "OIDC_AUDIENCE" : undefined,
    connection.sysCreds === undefined && connection.sysUser === undefined
      ? "NATS_SYS_USER (or NATS_SYS_CREDS)"
      : undefined,
  ].filter((name) => name !== undefined);
  if (missing.length > 0)
    throw new NatsAuthConfigError(`nats-auth needs ${missing.join(", ")}: set them and start again`);
  const ttl = parseDuration(auth.jwtTtl);
  const verifyToken = await createTokenVerifier({
    issuer: auth.oidcIssuer!,
    audience: auth.oidcAudience!,
    ...(auth.oidcJwksUrl === undefined ? {} : { jwksUrl: auth.oidcJwksUrl }),
    userClaim: auth.oidcUserClaim,
  });
  // The service must outlive a server restart: reconnect forever.
  const forever = { maxReconnectAttempts: -1, reconnectTimeWait: 500 };
  const authConnection = await connectNats(connection, "auth", { ...forever, name: "scim-gitops-nats-auth" });
  const sysConnection = await connectNats(connection, "sys", forever);
  try {
    const callout = await startCallout({
      auth: authConnection,
      sys: sysConnection,
      bucket,
      issuerSeed: auth.issuerSeed!.reveal(),
      ...(auth.xkeySeed === undefined ? {} : { xkeySeed: auth.xkeySeed.reveal() }),
      verifyToken,
      jwtTtlSeconds: ttl,
      reconcileEveryMs: 30_000,
      log,
    });
    let health: HealthEndpoint | undefined;
    if (auth.healthPort !== undefined) {
      const connected = { auth: followConnected(authConnection), sys: followConnected(sysConnection) };
      try {
        health = await serveHealth(auth.healthPort, () =>
          buildHealthReport({
            callout: callout.health(),
            connected: { auth: connected.auth(), sys: connected.sys() },
          }),
        );
      } catch (error) {
        await callout.stop();
        throw new NatsAuthConfigError(
          `cannot serve health on port ${auth.healthPort} (${error instanceof Error ? error.message : String(error)}): choose another --health-port or NATS_AUTH_HEALTH_PORT`,
          { cause: error },
        );
      }
      log(`nats-auth: health on port ${health.port} (GET /healthz)`);
    }
    return {
      callout,
      ...(health === undefined ? {} : { health }),
      async stop() {
        await health?.stop();
        await callout.stop();
        await Promise.all([authConnection.drain(), sysConnection.drain()]);
      },
    };
  } catch (error) {
    await Promise.all([authConnection.close(), sysConnection.close()]);
    throw error;
  }
}

/** Whether the connection is up right now, followed from its status events. */
function followConnected(nc: NatsConnection): () => boolean {
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect) connected = false;
      else if (status.type === Events.Reconnect) connected = true;
    }
  })();
  return () => connected && !nc.isClosed();
}
