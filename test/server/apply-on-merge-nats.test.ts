/**
 * `serve --apply-on-merge` applies the policy of main's head itself (no copy in a temporary directory): the
 * NATS entries it writes name that commit as changedBy, and a later merge rewrites only who it changes.
 * A real git repository and a real nats-server.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type KV, type NatsConnection } from "nats";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { BUNDLED_POLICIES, openGitPolicyRepo } from "../../src/repos/git/open-git-policy-repo.js";
import type { GitPolicyRepo } from "../../src/repos/git/git-policy-repo.js";
import { startApplyOnMerge } from "../../src/server/apply-on-merge.js";
import { createLogger } from "../../src/server/logger.js";
import { openOrCreateBucket } from "../../src/targets/nats/bucket.js";
import { decodeEntry, keyForPrincipal } from "../../src/targets/nats/entry.js";
import { startNatsServer, type RunningNatsServer } from "../support/nats-server.js";

const ALICE_FILE = "policies/identities/users/alice-example-com.yaml";

let scratch: string;
let server: RunningNatsServer;
let repo: GitPolicyRepo;
let admin: NatsConnection;
let kv: KV;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "apply-on-merge-nats-"));
  server = await startNatsServer();
  repo = await openGitPolicyRepo(join(scratch, "repo"), {
    createFrom: BUNDLED_POLICIES,
    policyDir: "policies",
  });
  admin = await connect({ servers: server.url, user: server.auth.user, pass: server.auth.password });
  kv = await openOrCreateBucket(admin, "scim-gitops-access");
});

afterAll(async () => {
  await admin?.close();
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
});

async function changedBy(principal: string): Promise<string | undefined> {
  const entry = await kv.get(keyForPrincipal(principal));
  return entry === null || entry.operation !== "PUT"
    ? undefined
    : decodeEntry(principal, entry.value).changedBy;
}

it("writes main's head as every NATS entry's changedBy, and a merge rewrites only those it changes, revoking first", async () => {
  const lines: string[] = [];
  const applier = startApplyOnMerge({
    repo,
    policyDir: "policies",
    config: loadConfig({
      NATS_URL: server.url,
      NATS_USER: server.auth.user,
      NATS_PASSWORD: server.auth.password,
      NATS_SYS_USER: server.sys.user,
      NATS_SYS_PASSWORD: server.sys.password,
    }),
    log: createLogger({ write: (line) => lines.push(line) }),
  });
  const first = (await repo.head("main"))!;
  applier.mainMoved(first);
  await applier.close();
  expect(applier.state()).toEqual({ runs: 1, failures: 0, lastHead: first, lastOutcome: "applied" });
  expect(await changedBy("alice@example.com")).toBe(first);
  expect(await changedBy("bob@example.com")).toBe(first);

  const alice = (await repo.readFile(first, ALICE_FILE))!;
  const second = await repo.commitFiles({
    branch: "main",
    parent: first,
    changes: [{ path: ALICE_FILE, content: alice.replace("active: true", "active: false") }],
    message: "Deactivate alice@example.com\n",
    update: { kind: "expect", head: first },
  });
  applier.mainMoved(second);
  await applier.close();
  expect(applier.state()).toMatchObject({ runs: 2, failures: 0, lastHead: second, lastOutcome: "applied" });
  expect((await kv.get(keyForPrincipal("alice@example.com")))?.operation).toBe("DEL");
  expect(await changedBy("bob@example.com")).toBe(first);

  const log = lines.join("\n");
  expect(log).toContain("apply-on-merge: skipping pulsar: not configured");
  // The second run knew what the first applied: alice's entry went before the bucket was read whole.
  expect(log).toContain(
    "apply-on-merge: revoked first on nats: 1 change(s) for 1 principal(s) applied, 0 failed (the full apply follows)",
  );
  expect(log.indexOf("revoked first on nats")).toBeLessThan(log.indexOf("apply-on-merge: nats: 0 applied"));
  expect(log).toContain(`apply-on-merge: main ${second.slice(0, 12)} applied`);
  expect(log).not.toContain(server.auth.password);
  expect(log).not.toContain(server.sys.password);
});
