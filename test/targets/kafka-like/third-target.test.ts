import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { git, gitText } from "../../../src/repos/git/git.js";
import { TARGETS } from "../../../src/targets/registry.js";
import { FakeKafkaLikeCluster } from "../../fakes/kafka-like/cluster.js";
import { removeDir, runCli, writePolicy, type CliRun } from "../../plan/cli-fixture.js";
import { kafkaLikeTarget } from "./kafka-like-target.js";

/**
 * Issue 10: a third target registered only by a test, with its own role entries and settings section,
 * goes through validate, explain, diff, plan and apply via the real commands, and `src/` never names it.
 */
const SRC = fileURLToPath(new URL("../../../src", import.meta.url));

const SETTINGS = `version: 1
pulsar:
  manage:
    tenants: [acme]
kafkalike:
  principal: "User:{userName}"
  manage:
    topicPrefixes: [orders., payments.]
  protectedPrincipals: ["User:admin"]
`;

const ORDERS = `roles:
  orders-writer:
    pulsar:
      - namespace: acme/orders
        actions: [produce]
    kafkalike:
      - topic: orders.events
        operations: [write, describe]
  orders-reader:
    kafkalike:
      - topic: orders.events
        operations: [read]
bindings:
  - group: orders-team
    roles: [orders-writer]
  - user: carol@example.com
    roles: [orders-reader]
`;

function userFile(name: string, active = true): Record<string, string> {
  return {
    [`identities/users/${name}-example-com.yaml`]: `id: u-${name}\nuserName: ${name}@example.com\nactive: ${active}\nemails:\n  - ${name}@example.com\n`,
  };
}

const FILES: Record<string, string> = {
  "settings.yaml": SETTINGS,
  "access/orders.yaml": ORDERS,
  "identities/groups/orders-team.yaml":
    "id: g-orders\ndisplayName: orders-team\nmembers:\n  - alice@example.com\n  - bob@example.com\n  - dave@example.com\n",
  ...userFile("alice"),
  ...userFile("bob"),
  ...userFile("carol"),
  ...userFile("dave", false),
};

let cluster: FakeKafkaLikeCluster;
let root: string;

beforeEach(async () => {
  cluster = new FakeKafkaLikeCluster()
    .seed("User:bob@example.com", "orders.events", ["describe", "read", "write"])
    .seed("User:dave@example.com", "orders.events", ["read"])
    .seed("User:admin", "orders.events", ["read"])
    .seed("User:app", "audit.log", ["write"]);
  root = await writePolicy(FILES);
});

afterEach(async () => {
  await removeDir(root);
});

/** scim-gitops with the built-in targets plus the Kafka-like one, connected to the fake cluster. */
function run(argv: string[], cwd = root): Promise<CliRun> {
  return runCli(argv, {
    cwd,
    env: { KAFKALIKE_BROKERS: "fake:9092" },
    targets: [...TARGETS, kafkaLikeTarget(cluster)],
  });
}

describe("a third target registered only by a test", () => {
  it("validates its settings section and role entries; the built-in registry does not know them", async () => {
    expect(await run(["validate"])).toMatchObject({ code: 0 });
    const builtIn = await runCli(["validate"], { cwd: root });
    expect(builtIn.code).toBe(1);
    expect(builtIn.stdout).toContain(
      "policies/settings.yaml:5:1: error: unknown key `kafkalike` in settings.yaml; remove it (known keys: version, pulsar, nats, guards, emergency, expiry)",
    );
  });

  it("reports a bad role entry at its file:line:col, with what to do", async () => {
    await writeFile(
      join(root, "policies/access/orders.yaml"),
      ORDERS.replace("operations: [read]", "operations: [read, wrtie]").replace(
        "bindings:",
        "  audit:\n    kafkalike:\n      - topic: audit.log\n        operations: [write]\n      - topic: audit.log\n        operations: [read]\n  empty: {}\nbindings:",
      ),
    );
    const result = await run(["validate"]);
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n").filter((line) => line.startsWith("policies/"))).toEqual([
      'policies/access/orders.yaml:12:28: error: an item of `operations` is "wrtie", which is not known; use one of read, write, describe',
      "policies/access/orders.yaml:15:9: error: topic audit.log is outside the managed scope; add its prefix to `kafkalike.manage.topicPrefixes` in settings.yaml, or remove this entry",
      "policies/access/orders.yaml:17:9: error: topic audit.log is outside the managed scope; add its prefix to `kafkalike.manage.topicPrefixes` in settings.yaml, or remove this entry",
      "policies/access/orders.yaml:17:9: warning: role `audit` names topic audit.log twice; merge the operations into one entry",
      "policies/access/orders.yaml:19:3: warning: role `empty` grants nothing; add `pulsar:`, `nats:` or `kafkalike:` entries, or remove it",
    ]);
  });

  it("explains a person's grants on it, with their provenance, in every format", async () => {
    const text = await run(["explain", "alice@example.com"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      [
        "Kafka-like as User:alice@example.com:",
        "  topic orders.events: describe, write",
        "      because group:orders-team → orders-writer (policies/access/orders.yaml:14 → policies/access/orders.yaml:7)",
      ].join("\n"),
    );
    const markdown = await run(["explain", "alice@example.com", "--format", "markdown"]);
    expect(markdown.stdout).toContain(
      "| Kafka-like | `User:alice@example.com` | topic orders.events: describe, write |",
    );
    const json = JSON.parse((await run(["explain", "dave@example.com", "--json"])).stdout) as Record<
      string,
      unknown
    >;
    expect(Object.keys(json)).toEqual(expect.arrayContaining(["pulsar", "nats", "kafkalike"]));
    expect(json.retired).toEqual({
      pulsar: ["dave@example.com"],
      nats: [],
      kafkalike: ["User:dave@example.com"],
    });
  });

  it("shows who gains and loses what on it between two revisions", async () => {
    const author = {
      GIT_AUTHOR_NAME: "Test",
      GIT_AUTHOR_EMAIL: "test@example.com",
      GIT_COMMITTER_NAME: "Test",
      GIT_COMMITTER_EMAIL: "test@example.com",
    };
    const commit = async (message: string): Promise<string> => {
      await git(["add", "-A"], { cwd: root });
      await git(["commit", "-q", "-m", message], { cwd: root, env: author });
      return gitText(["rev-parse", "HEAD"], { cwd: root });
    };
    await git(["init", "-q", "-b", "main"], { cwd: root });
    const base = await commit("policy");
    await writeFile(
      join(root, "policies/access/orders.yaml"),
      ORDERS.replace("operations: [read]", "operations: [read, describe]"),
    );
    const head = await commit("readers may describe");
    const widened = await run(["diff", base, head]);
    expect(widened.code).toBe(0);
    expect(widened.stdout).toBe(
      [
        "Grants access: 1 person gains 1 permission.",
        "",
        "carol@example.com",
        "  kafkalike as User:carol@example.com",
        "    + topic orders.events: describe",
        "        because user:carol@example.com → orders-reader (policies/access/orders.yaml:16 → policies/access/orders.yaml:11)",
        "",
      ].join("\n"),
    );
    const narrowed = JSON.parse((await run(["diff", head, base, "--json"])).stdout) as {
      revocationOnly: boolean;
      revocations: number;
    };
    expect(narrowed).toMatchObject({ revocationOnly: true, revocations: 1 });
  });

  it("plans and applies its changes through the real commands, and a second apply writes nothing", async () => {
    const plan = await run(["plan", "--target", "kafkalike", "--format", "json", "--detailed-exitcode"]);
    expect(plan.code).toBe(2);
    const changes = (
      JSON.parse(plan.stdout) as {
        targets: { target: string; changes: { action: string; principal: string; after: unknown }[] }[];
      }
    ).targets.flatMap((target) =>
      target.changes.map((change) => [target.target, change.action, change.principal, change.after]),
    );
    expect(changes).toEqual([
      ["kafkalike", "revoke", "User:dave@example.com", null],
      ["kafkalike", "update", "User:bob@example.com", ["describe", "write"]],
      ["kafkalike", "grant", "User:alice@example.com", ["describe", "write"]],
      ["kafkalike", "grant", "User:carol@example.com", ["read"]],
    ]);
    expect(plan.stdout).toContain(
      "protected: User:admin keeps orders.events (kafkalike.protectedPrincipals)",
    );

    expect(await run(["apply", "--target", "kafkalike"])).toMatchObject({ code: 0 });
    expect(cluster.list()).toEqual({
      "User:admin": { "orders.events": ["read"] },
      "User:app": { "audit.log": ["write"] },
      "User:alice@example.com": { "orders.events": ["describe", "write"] },
      "User:bob@example.com": { "orders.events": ["describe", "write"] },
      "User:carol@example.com": { "orders.events": ["read"] },
    });
    const writes = cluster.writes;
    expect(writes).toBe(4);
    expect(await run(["apply", "--target", "kafkalike"])).toMatchObject({ code: 0 });
    expect(cluster.writes).toBe(writes);
    expect(await run(["plan", "--target", "kafkalike", "--detailed-exitcode"])).toMatchObject({ code: 0 });
  });

  it("is named nowhere under src/: the registry is the only seam", async () => {
    const offenders: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (/kafka-?like/i.test(await readFile(path, "utf8"))) offenders.push(path);
      }
    };
    await walk(SRC);
    expect(offenders).toEqual([]);
  });
});
