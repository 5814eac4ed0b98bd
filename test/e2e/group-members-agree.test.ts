/**
 * SCIM and the rendered group files agree on members (issue 9), end to end in one process: real HTTP into
 * the service, the journal ledger on disk, the proposer committing to a real git repository, the group
 * files read back from the sync branch.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse } from "yaml";
import { Secret } from "../../src/secret.js";
import { createLogger } from "../../src/server/logger.js";
import { startService, type RunningService } from "../../src/server/start-service.js";
import { GROUP_URN, USER_URN, patchOf } from "../scim/support/scim-server.js";

const TOKEN = "agree-token-8c1f0e2d3b4a59687766";
let scratch: string;
let service: RunningService;
const logLines: string[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "e2e-members-"));
  service = await startService({
    repoPath: join(scratch, "policy-repo"),
    dataDir: join(scratch, "data"),
    port: 0,
    host: "127.0.0.1",
    tokens: () => [new Secret(TOKEN)],
    log: createLogger({ write: (line) => logLines.push(line), secrets: () => [new Secret(TOKEN)] }),
    proposer: { debounceMs: 20, watchMainMs: 0 },
    drainMs: 1000,
  });
});

afterAll(async () => {
  await service?.close();
  await rm(scratch, { recursive: true, force: true });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service.scimUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { "Content-Type": "application/scim+json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
}

async function newUser(userName: string): Promise<string> {
  const reply = await call("POST", "/Users", { schemas: [USER_URN], userName });
  expect(reply.status).toBe(201);
  return reply.body.id as string;
}

/** Every group as SCIM shows it: id → member userNames, sorted (what a group file holds). */
async function groupsOverScim(): Promise<Map<string, string[]>> {
  const groups = (await call("GET", "/Groups")).body.Resources as {
    id: string;
    members: { value: string }[];
  }[];
  const out = new Map<string, string[]>();
  for (const group of groups) {
    const names = await Promise.all(
      group.members.map(
        async (member) => (await call("GET", `/Users/${member.value}`)).body.userName as string,
      ),
    );
    out.set(group.id, names.sort());
  }
  return out;
}

/** Every group file on the sync branch: id → `members`. */
async function groupsInFiles(): Promise<Map<string, string[]>> {
  await service.proposer.flush();
  const files = await service.repo.readFiles("scim-gitops/sync", "policies/identities/groups");
  const out = new Map<string, string[]>();
  for (const text of files.values()) {
    const fields = parse(text) as { id: string; members: string[] };
    out.set(fields.id, fields.members);
  }
  return out;
}

it("members that name no user, a nested group and a deleted user: SCIM, ledger and file agree at every step", async () => {
  const alice = await newUser("agree.alice@example.com");
  const bob = await newUser("agree.bob@example.com");
  const [ghost, lateGhost] = [randomUUID(), randomUUID()];

  const payments = await call("POST", "/Groups", {
    schemas: [GROUP_URN],
    displayName: "agree-payments",
    members: [{ value: alice }, { value: ghost }],
  });
  expect(payments.status).toBe(201);
  const paymentsId = payments.body.id as string;
  const nested = await call("POST", "/Groups", {
    schemas: [GROUP_URN],
    displayName: "agree-all",
    members: [{ value: paymentsId, type: "Group" }, { value: bob }],
  });
  expect(nested.status).toBe(201);
  const shown = await groupsOverScim();
  expect(shown.get(paymentsId)).toEqual(["agree.alice@example.com"]);
  expect(shown.get(nested.body.id as string)).toEqual(["agree.bob@example.com"]);
  expect(await groupsInFiles()).toEqual(await groupsOverScim());

  const added = await call(
    "PATCH",
    `/Groups/${paymentsId}`,
    patchOf({ op: "add", path: "members", value: [{ value: bob }, { value: lateGhost }] }),
  );
  expect(added.status).toBe(204);
  expect((await groupsOverScim()).get(paymentsId)).toEqual([
    "agree.alice@example.com",
    "agree.bob@example.com",
  ]);
  expect(await groupsInFiles()).toEqual(await groupsOverScim());

  expect((await call("DELETE", `/Users/${bob}`)).status).toBe(204);
  expect((await groupsOverScim()).get(paymentsId)).toEqual(["agree.alice@example.com"]);
  expect(await groupsInFiles()).toEqual(await groupsOverScim());

  // The IdP's recovery: the person is provisioned and the group pushed again, and then they are a member.
  const carol = await newUser("agree.carol@example.com");
  await call(
    "PATCH",
    `/Groups/${paymentsId}`,
    patchOf({ op: "add", path: "members", value: [{ value: carol }] }),
  );
  expect((await groupsOverScim()).get(paymentsId)).toEqual([
    "agree.alice@example.com",
    "agree.carol@example.com",
  ]);
  expect(await groupsInFiles()).toEqual(await groupsOverScim());

  const warnings = logLines.filter((line) => line.includes(" WARN ") && line.includes("was stored without"));
  expect(warnings.join("")).toContain(ghost);
  expect(warnings.join("")).toContain(lateGhost);
  expect(warnings.join("")).toContain(paymentsId);
  expect(logLines.join("")).not.toContain(TOKEN);
});
