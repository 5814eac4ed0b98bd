import type { AuthorizationRequest } from "@nats-io/jwt";
import { fromCurveSeed } from "@nats-io/nkeys";
import type { Msg, NatsConnection, Subscription } from "nats";
import { followBucketPresence } from "./bucket-presence.js";
import { LiveConnections } from "./live-connections.js";
import { PermissionTable } from "./permission-table.js";
import { decodeAuthorizationRequest } from "./decode-request.js";
import { createFastKeyPair } from "./ed25519-key-pair.js";
import { encodeAuthorizationResponseJwt, encodeUserJwt } from "./nats-jwt.js";
import { TokenRejected, type VerifyToken } from "./oidc-verifier.js";
import { decideAccess, toJwtPermissions } from "./user-permissions.js";

const CALLOUT_SUBJECT = "$SYS.REQ.USER.AUTH";
const CALLOUT_QUEUE = "scim-gitops-nats-auth";

export interface CalloutOptions {
  /** Connected as the AUTH-account user listed in auth_users (reads the bucket, answers the callout). */
  readonly auth: NatsConnection;
  /** Connected as the system-account user allowed KICK and CONNZ. */
  readonly sys: NatsConnection;
  readonly bucket: string;
  readonly issuerSeed: string;
  readonly xkeySeed?: string;
  readonly verifyToken: VerifyToken;
  /** Seconds: the user JWT's expiry, a backstop behind kicks. */
  readonly jwtTtlSeconds: number;
  /** Reconcile every so often (ms); 0 turns it off. */
  readonly reconcileEveryMs: number;
  /** How often (ms) to look whether the bucket appeared, or was deleted or recreated; advisories wake it early. */
  readonly bucketPollMs?: number;
  readonly log: (line: string) => void;
}

export interface CalloutStats {
  answered: number;
  refused: number;
}

/** What the service's own health output shows: counts and the bucket's name, never a person or a token. */
export interface CalloutHealth {
  readonly bucket: {
    readonly name: string;
    /** `waiting` until the bucket exists (and again once it is deleted): every connect is refused. */
    readonly state: "waiting" | "ready";
    readonly since: Date;
    readonly people: number;
    /** The last check of the bucket failed; the state shown is the one before it. */
    readonly error?: string;
  };
  readonly stats: Readonly<CalloutStats>;
}

export interface RunningCallout {
  readonly stats: Readonly<CalloutStats>;
  health(): CalloutHealth;
  /** Resolves once pending kicks after table changes are done (tests and benchmarks wait on it). */
  idle(): Promise<void>;
  reconcile(): Promise<number>;
  stop(): Promise<void>;
}

class CalloutRefusal extends Error {
  override name = "CalloutRefusal";
}

/** `scim-gitops nats-auth`: answers auth callouts from the permission table and kicks what it no longer backs. */
export async function startCallout(options: CalloutOptions): Promise<RunningCallout> {
  const issuer = createFastKeyPair(options.issuerSeed);
  const xkey =
    options.xkeySeed === undefined ? undefined : fromCurveSeed(new TextEncoder().encode(options.xkeySeed));
  const live = new LiveConnections(options.sys, options.log);
  const stats: CalloutStats = { answered: 0, refused: 0 };
  // One chain per person keeps their changes in order; different people's kicks run side by side, so a mass
  // revocation is not a queue of CONNZ round trips.
  const chains = new Map<string, Promise<void>>();
  const schedule = (key: string, work: () => Promise<unknown>, failure: string): Promise<void> => {
    const next = (chains.get(key) ?? Promise.resolve())
      .then(work)
      .then(
        () => undefined,
        (error: unknown) => options.log(`${failure}: ${String(error)}`),
      )
      .finally(() => {
        if (chains.get(key) === next) chains.delete(key);
      });
    chains.set(key, next);
    return next;
  };
  // Undefined while the bucket does not exist (or was never readable): every connect is refused.
  let table: PermissionTable | undefined;
  let state: { state: "waiting" | "ready"; since: Date; error?: string } = {
    state: "waiting",
    since: new Date(),
  };
  const enter = (next: "waiting" | "ready", detail: string) => {
    if (next !== state.state) state = { state: next, since: new Date() };
    else delete state.error;
    options.log(`bucket ${options.bucket}: ${next} (${detail})`);
  };
  const reconcile = async (): Promise<number> => {
    if (table === undefined) return 0;
    const current = table;
    const kicked = await live.reconcile((principal) => current.lookup(principal));
    if (kicked > 0) options.log(`reconcile: kicked ${kicked} connection(s) the table no longer backs`);
    return kicked;
  };
  const presence = await followBucketPresence(options.auth, options.bucket, options.bucketPollMs ?? 1000, {
    async appeared(kv) {
      const next = new PermissionTable(
        (change) =>
          void schedule(
            `person:${change.principal}`,
            () => live.onChange(change.principal, change.before, change.after, change.at),
            `kicking ${change.principal}'s connections failed`,
          ),
        (message) => options.log(`permission table: ${message}`),
      );
      await next.start(kv);
      // A recreated bucket replaces the table whole: connections it does not back go, as after a restart.
      table?.stop();
      table = next;
      enter("ready", `${next.size} people in the permission table`);
      await schedule("reconcile", reconcile, "reconcile failed");
    },
    async absent() {
      const had = table !== undefined;
      table?.stop();
      table = undefined;
      enter("waiting", `${bucketMissing(options.bucket)}; refusing every connect until it exists`);
      // No bucket, no grants: every connection the callout authorized has lost what backed it.
      await schedule(
        "reconcile",
        async () => {
          const kicked = await live.reconcile(() => undefined);
          if (kicked > 0 || had)
            options.log(`bucket ${options.bucket} is gone: kicked ${kicked} connection(s)`);
        },
        "kicking after the bucket went failed",
      );
    },
    unreadable(message) {
      if (state.error !== message) options.log(`bucket ${options.bucket} cannot be read: ${message}`);
      state.error = message;
    },
    unchanged() {
      if (state.error !== undefined) options.log(`bucket ${options.bucket} can be read again`);
      delete state.error;
    },
  });

  const subscription: Subscription = options.auth.subscribe(CALLOUT_SUBJECT, {
    queue: CALLOUT_QUEUE,
    callback: (error, message) => {
      if (error !== null) {
        options.log(`callout subscription: ${error.message}`);
        return;
      }
      void answer(message).catch((failure: unknown) =>
        options.log(`callout answer failed: ${String(failure)}`),
      );
    },
  });
  const timer =
    options.reconcileEveryMs > 0
      ? setInterval(() => void schedule("reconcile", reconcile, "reconcile failed"), options.reconcileEveryMs)
      : undefined;
  timer?.unref();
  options.log(
    `nats-auth: answering ${CALLOUT_SUBJECT} (queue ${CALLOUT_QUEUE}), ${
      table === undefined
        ? `waiting for the KV bucket ${options.bucket}`
        : `${table.size} people in ${options.bucket}`
    }`,
  );

  async function answer(message: Msg): Promise<void> {
    const serverXkey = message.headers?.get("Nats-Server-Xkey") ?? "";
    let requestJwt: string;
    if (xkey !== undefined && serverXkey !== "") {
      const opened = xkey.open(message.data, serverXkey);
      if (opened === null) return options.log("callout: a request could not be decrypted (xkey mismatch?)");
      requestJwt = new TextDecoder().decode(opened);
    } else {
      requestJwt = new TextDecoder().decode(message.data);
    }
    let request: AuthorizationRequest;
    try {
      request = decodeAuthorizationRequest(requestJwt);
    } catch (error) {
      return options.log(
        `callout: request ignored: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const respond = (data: { jwt: string } | { error: string }) => {
      const response = encodeAuthorizationResponseJwt({
        userKey: request.user_nkey,
        serverId: request.server_id.id,
        issuer,
        data,
      });
      const bytes = new TextEncoder().encode(response);
      message.respond(xkey !== undefined && serverXkey !== "" ? xkey.seal(bytes, serverXkey) : bytes);
    };
    const cid = request.client_info.id ?? 0;
    try {
      const { person, account, permissions } = await authorize(request);
      const jwt = encodeUserJwt({
        name: person,
        userKey: request.user_nkey,
        account,
        permissions: toJwtPermissions(permissions),
        expiresAt: Math.floor(Date.now() / 1000) + options.jwtTtlSeconds,
        issuer,
      });
      respond({ jwt });
      stats.answered++;
      live.track(person, { serverId: request.server_id.id, cid, account, permissions });
    } catch (error) {
      const reason =
        error instanceof TokenRejected || error instanceof CalloutRefusal ? error.message : "internal error";
      if (!(error instanceof TokenRejected || error instanceof CalloutRefusal))
        options.log(`callout: ${String(error)}`);
      options.log(`refused connection ${cid} from ${request.client_info.host ?? "?"}: ${reason}`);
      respond({ error: reason });
      stats.refused++;
    }
  }

  async function authorize(request: AuthorizationRequest) {
    const connect = request.connect_opts as { auth_token?: string; user?: string; pass?: string };
    const token = connect.auth_token ?? connect.pass;
    if (token === undefined || token === "") {
      throw new CalloutRefusal(
        "no token: pass the IdP token as the NATS token, or as the password with an account as the user",
      );
    }
    if (table === undefined) {
      throw new CalloutRefusal(
        state.error === undefined
          ? bucketMissing(options.bucket)
          : `the KV bucket ${options.bucket} cannot be read (${state.error}): check JetStream for the AUTH account`,
      );
    }
    const current = table;
    const person = await options.verifyToken(token);
    const decision = decideAccess(
      person,
      current.get(person),
      connect.auth_token === undefined ? connect.user : undefined,
    );
    if (!decision.ok) throw new CalloutRefusal(decision.error);
    return { person, account: decision.account, permissions: decision.permissions };
  }

  return {
    stats,
    health: () => ({
      bucket: { name: options.bucket, ...state, people: table?.size ?? 0 },
      stats,
    }),
    idle: async () => {
      while (chains.size > 0) await Promise.all(chains.values());
    },
    reconcile: async () => {
      let kicked = 0;
      await schedule(
        "reconcile",
        async () => {
          kicked = await reconcile();
        },
        "reconcile failed",
      );
      return kicked;
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      subscription.unsubscribe();
      await presence.stop();
      table?.stop();
      while (chains.size > 0) await Promise.all(chains.values());
    },
  };
}

function bucketMissing(bucket: string): string {
  return `the KV bucket ${bucket} does not exist yet: run scim-gitops apply`;
}
