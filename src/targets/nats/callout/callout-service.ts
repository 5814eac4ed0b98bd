import { encodeAuthorizationResponse, encodeUser, type AuthorizationRequest } from "@nats-io/jwt";
import { fromCurveSeed } from "@nats-io/nkeys";
import type { Msg, NatsConnection, Subscription } from "nats";
import { findBucket } from "../bucket.js";
import { LiveConnections } from "./live-connections.js";
import { PermissionTable } from "./permission-table.js";
import { decodeAuthorizationRequest } from "./decode-request.js";
import { createFastKeyPair } from "./ed25519-key-pair.js";
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
  readonly log: (line: string) => void;
}

export interface CalloutStats {
  answered: number;
  refused: number;
}

export interface RunningCallout {
  readonly stats: Readonly<CalloutStats>;
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
  const kv = await findBucket(options.auth, options.bucket);
  if (kv === undefined) {
    throw new Error(
      `the KV bucket ${options.bucket} does not exist: run scim-gitops apply --target nats once, or check NATS_BUCKET`,
    );
  }
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
  const table = new PermissionTable(
    (change) =>
      void schedule(
        `person:${change.principal}`,
        () => live.onChange(change.principal, change.before, change.after, change.at),
        `kicking ${change.principal}'s connections failed`,
      ),
    (message) => options.log(`permission table: ${message}`),
  );
  await table.start(kv);
  const reconcile = async (): Promise<number> => {
    const kicked = await live.reconcile((principal) => table.lookup(principal));
    if (kicked > 0) options.log(`reconcile: kicked ${kicked} connection(s) the table no longer backs`);
    return kicked;
  };
  await reconcile();

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
    `nats-auth: answering ${CALLOUT_SUBJECT} (queue ${CALLOUT_QUEUE}), ${table.size} people in ${options.bucket}`,
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
    const respond = async (data: { jwt: string } | { error: string }) => {
      const response = await encodeAuthorizationResponse(
        request.user_nkey,
        request.server_id.id,
        issuer,
        data,
        {},
      );
      const bytes = new TextEncoder().encode(response);
      message.respond(xkey !== undefined && serverXkey !== "" ? xkey.seal(bytes, serverXkey) : bytes);
    };
    const cid = request.client_info.id ?? 0;
    try {
      const { person, account, permissions } = await authorize(request);
      const jwt = await encodeUser(person, request.user_nkey, issuer, toJwtPermissions(permissions), {
        aud: account,
        exp: Math.floor(Date.now() / 1000) + options.jwtTtlSeconds,
      });
      await respond({ jwt });
      stats.answered++;
      live.track(person, { serverId: request.server_id.id, cid, account, permissions });
    } catch (error) {
      const reason =
        error instanceof TokenRejected || error instanceof CalloutRefusal ? error.message : "internal error";
      if (!(error instanceof TokenRejected || error instanceof CalloutRefusal))
        options.log(`callout: ${String(error)}`);
      options.log(`refused connection ${cid} from ${request.client_info.host ?? "?"}: ${reason}`);
      await respond({ error: reason });
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
    const person = await options.verifyToken(token);
    const decision = decideAccess(
      person,
      table.get(person),
      connect.auth_token === undefined ? connect.user : undefined,
    );
    if (!decision.ok) throw new CalloutRefusal(decision.error);
    return { person, account: decision.account, permissions: decision.permissions };
  }

  return {
    stats,
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
      table.stop();
      while (chains.size > 0) await Promise.all(chains.values());
    },
  };
}
