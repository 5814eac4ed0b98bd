import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { perms, startWorld, type NatsWorld } from "./fixture.js";

/** The first permission violation the connection reports (`publish app.x`), or undefined within `ms`. */
async function violation(nc: NatsConnection, ms = 500): Promise<string | undefined> {
  const statuses = nc.status();
  const first = (async () => {
    for await (const status of statuses) {
      const context = (status as { permissionContext?: { operation: string; subject: string } })
        .permissionContext;
      if (status.data === "PERMISSIONS_VIOLATION" && context !== undefined) {
        return `${context.operation} ${context.subject}`;
      }
    }
    return undefined;
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([first, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function refusal(promise: Promise<NatsConnection>): Promise<string> {
  try {
    const nc = await promise;
    await nc.close();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error("the connection was accepted");
}

describe("nats-auth callout", () => {
  let world: NatsWorld;
  beforeAll(async () => {
    world = await startWorld();
    await world.put("alice", {
      APP: perms(["app.orders.>"], ["app.>", "_INBOX.>"], { sub: ["app.secret"] }),
    });
    await world.put("bob", {
      APP: perms(["app.>"], ["app.>"]),
      PAYMENTS: perms(["payments.>"], ["payments.>"]),
    });
    await world.put("carol", { APP: perms(["app.>"], ["app.>"]) }, { disabled: true });
    await world.put("dave", { APP: perms([], []) });
    await world.startService();
  });
  afterAll(async () => world?.stop());

  it("lets alice publish and subscribe where her roles allow, and nowhere else", async () => {
    const alice = await world.connectAs("alice");
    const listener = await world.connectAs("alice");
    const received = listener.subscribe("app.orders.new", { max: 1 });
    await listener.flush();
    alice.publish("app.orders.new", "hello");
    for await (const message of received) expect(message.string()).toBe("hello");

    const pending = violation(alice);
    alice.publish("payments.charge", "nope");
    expect(await pending).toBe("publish payments.charge");

    const denied = violation(alice);
    alice.subscribe("app.secret");
    expect(await denied).toBe("subscription app.secret");
  });

  it("refuses unknown, disabled and grant-less people, and bad tokens", async () => {
    const { oidc } = world;
    const cases: [string, () => Promise<NatsConnection>][] = [
      ["unknown", () => world.connectAs("mallory")],
      ["disabled", () => world.connectAs("carol")],
      ["no grants", () => world.connectAs("dave")],
      [
        "expired",
        async () => world.connectAs("alice", { token: await oidc.mint("alice", { expiresIn: -120 }) }),
      ],
      [
        "wrong audience",
        async () => world.connectAs("alice", { token: await oidc.mint("alice", { audience: "other" }) }),
      ],
      [
        "bad signature",
        async () => world.connectAs("alice", { token: await oidc.mint("alice", { foreignKey: true }) }),
      ],
      ["not a jwt", () => world.connectAs("alice", { token: "not-a-token" })],
    ];
    for (const [name, attempt] of cases) {
      expect(await refusal(attempt()), name).toMatch(/authorization violation/i);
    }
    const log = world.log.join("\n");
    expect(log).toMatch(/mallory holds no NATS access/);
    expect(log).toMatch(/carol is disabled/);
    expect(log).toMatch(/dave holds no NATS grants/);
    expect(log).toMatch(/the token has expired/);
    expect(log).toMatch(/aud claim is not accepted/);
    expect(log).toMatch(/signature does not verify|no key in the IdP's JWKS/);
    const token = await oidc.mint("alice");
    expect(log).not.toContain(token.split(".")[1]);
  });

  it("lands someone in several accounts where the user name says, and refuses a bare token", async () => {
    const token = await world.oidc.mint("bob");
    const inPayments = await connect({ servers: world.server.url, user: "PAYMENTS", pass: token });
    const sub = inPayments.subscribe("payments.done", { max: 1 });
    await inPayments.flush();
    const sender = await connect({ servers: world.server.url, user: "PAYMENTS", pass: token });
    sender.publish("payments.done", "ok");
    for await (const message of sub) expect(message.string()).toBe("ok");
    await Promise.all([inPayments.close(), sender.close()]);

    expect(await refusal(world.connectAs("bob", { token }))).toMatch(/authorization violation/i);
    await vi.waitFor(() =>
      expect(world.server.log()).toMatch(/bob holds access in several accounts \(APP, PAYMENTS\): pass one/),
    );
    expect(await refusal(connect({ servers: world.server.url, user: "SYS", pass: token }))).toMatch(
      /authorization violation/i,
    );
  });

  it("takes a user name that names none of the person's accounts as no choice", async () => {
    const token = await world.oidc.mint("alice");
    const listener = await world.connectAs("alice");
    const received = listener.subscribe("app.orders.>", { max: 3 });
    await listener.flush();
    // What people type by habit, and an account that exists but is not hers: she lands in APP every time.
    for (const user of ["alice", "oidc", "PAYMENTS"]) {
      const nc = await connect({ servers: world.server.url, user, pass: token });
      nc.publish(`app.orders.${user}`, user);
      await nc.flush();
      await nc.close();
    }
    const subjects: string[] = [];
    for await (const message of received) subjects.push(message.subject);
    expect(subjects).toEqual(["app.orders.alice", "app.orders.oidc", "app.orders.PAYMENTS"]);

    const bobs = await world.oidc.mint("bob");
    expect(await refusal(connect({ servers: world.server.url, user: "bob", pass: bobs }))).toMatch(
      /authorization violation/i,
    );
    await vi.waitFor(() =>
      expect(world.server.log()).toContain(
        "Auth callout service returned an error: bob holds access in several accounts (APP, PAYMENTS), and the user name names none of them: pass one of them as the user name and the token as the password",
      ),
    );
  });
});

describe("nats-auth with xkey", () => {
  let world: NatsWorld;
  beforeAll(async () => {
    world = await startWorld({ xkey: true });
    await world.put("alice", { APP: perms(["app.>"], ["app.>"]) });
    await world.startService();
  });
  afterAll(async () => world?.stop());

  it("answers encrypted callout requests", async () => {
    const alice = await world.connectAs("alice");
    await alice.flush();
    expect(alice.isClosed()).toBe(false);
    expect(await refusal(world.connectAs("mallory"))).toMatch(/authorization violation/i);
  });
});
