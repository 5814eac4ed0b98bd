import { connect, Events, type ConnectionOptions, type NatsConnection } from "nats";
import type { KV } from "nats";
import { openOrCreateBucket } from "../../src/targets/nats/bucket.js";
import { encodeEntry, keyForPrincipal, type AccountPermissions } from "../../src/targets/nats/entry.js";
import { startCallout, type RunningCallout } from "../../src/targets/nats/callout/callout-service.js";
import { createTokenVerifier } from "../../src/targets/nats/callout/oidc-verifier.js";
import { startNatsServer, type NatsServerOptions, type RunningNatsServer } from "../support/nats-server.js";
import { startOidcIssuer, type OidcIssuer } from "../support/oidc-issuer.js";

export const BUCKET = "scim-gitops-access";

export interface NatsWorld {
  readonly server: RunningNatsServer;
  readonly oidc: OidcIssuer;
  /** The bucket; throws while the world has none (see `createBucket`). */
  readonly kv: KV;
  readonly log: string[];
  /** Creates the bucket the way apply does (with history). */
  createBucket(): Promise<KV>;
  /** Deletes the bucket, stream and all. */
  deleteBucket(): Promise<void>;
  put(
    principal: string,
    accounts: Record<string, AccountPermissions>,
    extra?: { disabled?: boolean },
  ): Promise<void>;
  remove(principal: string): Promise<void>;
  startService(options?: { reconcileEveryMs?: number; bucketPollMs?: number }): Promise<RunningCallout>;
  connectAs(
    person: string,
    options?: Partial<ConnectionOptions> & { token?: string },
  ): Promise<NatsConnection>;
  asAuth(): Promise<NatsConnection>;
  stop(): Promise<void>;
}

/**
 * What an operator sets for `scim-gitops nats-auth` against this world's server, bucket and IdP (DESIGN
 * §9), with the xkey seed when the server has one: for tests and benchmarks that run the command itself.
 */
export function natsAuthEnv(world: Pick<NatsWorld, "server" | "oidc">): Record<string, string> {
  const { server, oidc } = world;
  return {
    NATS_URL: server.url,
    NATS_USER: server.auth.user,
    NATS_PASSWORD: server.auth.password,
    NATS_SYS_USER: server.sys.user,
    NATS_SYS_PASSWORD: server.sys.password,
    NATS_AUTH_ISSUER_SEED: server.issuerSeed,
    ...(server.xkeySeed === undefined ? {} : { NATS_AUTH_XKEY_SEED: server.xkeySeed }),
    OIDC_ISSUER: oidc.issuer,
    OIDC_AUDIENCE: oidc.audience,
    NATS_BUCKET: BUCKET,
  };
}

export function perms(
  pub: string[],
  sub: string[],
  deny: { pub?: string[]; sub?: string[] } = {},
): AccountPermissions {
  return { publish: { allow: pub, deny: deny.pub ?? [] }, subscribe: { allow: sub, deny: deny.sub ?? [] } };
}

export async function startWorld(
  options: NatsServerOptions & { readonly withoutBucket?: boolean } = {},
): Promise<NatsWorld> {
  const server = await startNatsServer(options);
  const oidc = await startOidcIssuer();
  const open: { close(): Promise<void> }[] = [];
  const services: RunningCallout[] = [];
  const asAuth = async () => {
    const nc = await connect({ servers: server.url, user: server.auth.user, pass: server.auth.password });
    open.push(nc);
    return nc;
  };
  const asSys = async () => {
    const nc = await connect({ servers: server.url, user: server.sys.user, pass: server.sys.password });
    open.push(nc);
    return nc;
  };
  const admin = await asAuth();
  let bucket: KV | undefined =
    options.withoutBucket === true ? undefined : await openOrCreateBucket(admin, BUCKET);
  const kv = (): KV => {
    if (bucket === undefined) throw new Error("this world has no bucket: call createBucket() first");
    return bucket;
  };
  const log: string[] = [];
  const verifyToken = await createTokenVerifier({
    issuer: oidc.issuer,
    audience: oidc.audience,
    userClaim: "preferred_username",
  });
  return {
    server,
    oidc,
    get kv() {
      return kv();
    },
    log,
    async createBucket() {
      bucket = await openOrCreateBucket(admin, BUCKET);
      return bucket;
    },
    async deleteBucket() {
      await (await admin.jetstreamManager()).streams.delete(`KV_${BUCKET}`);
      bucket = undefined;
    },
    async put(principal, accounts, extra = {}) {
      await kv().put(
        keyForPrincipal(principal),
        encodeEntry({ v: 1, principal, accounts, ...extra, changedBy: "test" }),
      );
    },
    async remove(principal) {
      await kv().delete(keyForPrincipal(principal));
    },
    async startService(serviceOptions = {}) {
      const service = await startCallout({
        auth: await asAuth(),
        sys: await asSys(),
        bucket: BUCKET,
        issuerSeed: server.issuerSeed,
        ...(server.xkeySeed === undefined ? {} : { xkeySeed: server.xkeySeed }),
        verifyToken,
        jwtTtlSeconds: 3600,
        reconcileEveryMs: serviceOptions.reconcileEveryMs ?? 0,
        ...(serviceOptions.bucketPollMs === undefined ? {} : { bucketPollMs: serviceOptions.bucketPollMs }),
        log: (line) => log.push(line),
      });
      services.push(service);
      return service;
    },
    async connectAs(person, connectOptions = {}) {
      const { token, ...rest } = connectOptions;
      const nc = await connect({
        servers: server.url,
        token: token ?? (await oidc.mint(person)),
        maxReconnectAttempts: 3,
        reconnectTimeWait: 50,
        ...rest,
      });
      open.push(nc);
      return nc;
    },
    asAuth,
    async stop() {
      for (const service of services) await service.stop();
      await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
      await oidc.stop();
      await server.stop();
    },
  };
}

/** Resolves when the connection is closed, or rejects after `ms`. */
export async function closedWithin(nc: NatsConnection, ms: number): Promise<number> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still connected after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([nc.closed(), timeout]);
  } finally {
    clearTimeout(timer);
  }
  return performance.now() - started;
}

/** Resolves when the client has reconnected (after a kick) within `ms`. */
export async function reconnectedWithin(nc: NatsConnection, ms: number): Promise<void> {
  const statuses = nc.status();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no reconnect within ${ms} ms`)), ms);
  });
  const reconnect = (async () => {
    for await (const status of statuses) if (status.type === Events.Reconnect) return;
  })();
  try {
    await Promise.race([reconnect, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
