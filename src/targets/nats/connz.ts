import { createInbox, type NatsConnection } from "nats";

/** One connection as CONNZ reports it. */
export interface LiveConnection {
  readonly serverId: string;
  readonly cid: number;
  readonly user: string;
  readonly account: string;
  readonly start: Date;
  /** Authorized through a user JWT (the auth callout), not a user of the server's configuration. */
  readonly viaCallout: boolean;
}

interface ConnzReply {
  readonly server?: { readonly id?: string };
  readonly data?: {
    readonly connections?: readonly {
      cid: number;
      authorized_user?: string;
      account?: string;
      start?: string;
      issuer_key?: string;
    }[];
  };
}

/**
 * Scatter-gather `$SYS.REQ.SERVER.PING.CONNZ` (every server answers; we collect until `windowMs` passes
 * after the last reply). With `user`, only that user's connections. Needs the system-account user.
 */
export async function listConnections(
  sys: NatsConnection,
  options: { readonly user?: string; readonly windowMs?: number; readonly limit?: number } = {},
): Promise<LiveConnection[]> {
  const inbox = createInbox();
  const subscription = sys.subscribe(inbox);
  const windowMs = options.windowMs ?? 50;
  const request = {
    auth: true,
    limit: options.limit ?? 100_000,
    ...(options.user === undefined ? {} : { user: options.user }),
  };
  const found: LiveConnection[] = [];
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => subscription.unsubscribe(), windowMs);
  };
  arm();
  sys.publish("$SYS.REQ.SERVER.PING.CONNZ", JSON.stringify(request), { reply: inbox });
  for await (const message of subscription) {
    arm();
    const reply = JSON.parse(new TextDecoder().decode(message.data)) as ConnzReply;
    const serverId = reply.server?.id;
    if (serverId === undefined) continue;
    for (const connection of reply.data?.connections ?? []) {
      found.push({
        serverId,
        cid: connection.cid,
        user: connection.authorized_user ?? "",
        account: connection.account ?? "",
        start: new Date(connection.start ?? 0),
        viaCallout: connection.issuer_key !== undefined,
      });
    }
  }
  clearTimeout(timer);
  return found;
}

/** `$SYS.REQ.SERVER.<id>.KICK {cid}` (nats-server 2.10+). Resolves when the server confirms. */
export async function kickConnection(
  sys: NatsConnection,
  connection: Pick<LiveConnection, "serverId" | "cid">,
): Promise<void> {
  const reply = await sys.request(
    `$SYS.REQ.SERVER.${connection.serverId}.KICK`,
    JSON.stringify({ cid: connection.cid }),
    {
      timeout: 2000,
    },
  );
  const body = JSON.parse(new TextDecoder().decode(reply.data)) as { error?: { description?: string } };
  if (body.error !== undefined) {
    throw new Error(
      `kick of connection ${connection.cid} on ${connection.serverId} failed: ${body.error.description ?? "unknown"}`,
    );
  }
}
