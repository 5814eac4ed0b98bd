/**
 * The identity ledger alone, on this machine's disk: 10k users and 1k groups written with 64 writers (group
 * commit), one writer at a time (an fsync each), member adds to one large group (the whole group is
 * journalled per write), compaction on close and a restart. Goal: thousands of writes/s with group commit.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JournalLedger } from "../src/ledger/journal-ledger-contract.js";
import { openLedger } from "../src/ledger/journal-ledger.js";
import type { ScimResource } from "../src/ledger/ledger.js";

const USERS = 10_000;
const GROUPS = 1_000;
const BIG_GROUP_ADDS = 2_000;

function user(n: number): ScimResource {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    id: `u${n}`,
    externalId: `00u${n}`,
    userName: `user${n}@example.com`,
    name: { givenName: "Given", familyName: `Family${n}` },
    displayName: `User ${n}`,
    emails: [{ value: `user${n}@example.com`, primary: true, type: "work" }],
    active: true,
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
      department: "Engineering",
      manager: { value: "u1" },
    },
    meta: { resourceType: "User", created: "2026-11-29T00:00:00Z", lastModified: "2026-11-29T00:00:00Z" },
  };
}

async function writers(
  count: number,
  total: number,
  write: (n: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: count }, async () => {
      while (next < total) await write(next++);
    }),
  );
  return performance.now() - started;
}

const rate = (count: number, ms: number) => `${((count / ms) * 1000).toFixed(0)} writes/s`;

export async function run(): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), "ledger-bench-"));
  const dir = join(scratch, "data");
  let ledger: JournalLedger = await openLedger({ dir });
  try {
    const usersMs = await writers(64, USERS, (n) => ledger.update("User", `u${n}`, "create", () => user(n)));
    const fsyncs = ledger.health().fsyncs;
    console.log(
      `  ${USERS} user creates, 64 writers: ${usersMs.toFixed(0)} ms, ${rate(USERS, usersMs)}, ${fsyncs} fsyncs (goal: thousands of writes/s)`,
    );
    const groupsMs = await writers(64, GROUPS, (n) =>
      ledger.update("Group", `g${n}`, "create", () => ({
        id: `g${n}`,
        displayName: `team-${n}`,
        members: Array.from({ length: 20 }, (_, k) => ({ value: `u${(n * 20 + k) % USERS}` })),
      })),
    );
    console.log(
      `  ${GROUPS} group creates (20 members each), 64 writers: ${groupsMs.toFixed(0)} ms, ${rate(GROUPS, groupsMs)}`,
    );
    const serialMs = await writers(1, 1_000, (n) =>
      ledger.update("User", `u${n}`, "patch", (current) => ({ ...current!, title: "Engineer" })),
    );
    console.log(
      `  1000 patches, one writer (an fsync each): ${serialMs.toFixed(0)} ms, ${rate(1_000, serialMs)}`,
    );
    await ledger.update("Group", "everyone", "create", () => ({
      id: "everyone",
      displayName: "everyone",
      members: [],
    }));
    const bigMs = await writers(16, BIG_GROUP_ADDS, (n) =>
      ledger.update("Group", "everyone", "patch", (current) => ({
        ...current!,
        members: [...(current!.members as object[]), { value: `u${n}` }],
      })),
    );
    console.log(
      `  ${BIG_GROUP_ADDS} member adds to one group (up to ${BIG_GROUP_ADDS} members), 16 writers: ${bigMs.toFixed(0)} ms, ${rate(BIG_GROUP_ADDS, bigMs)}, ${ledger.health().compactions} compactions`,
    );
    let started = performance.now();
    await ledger.close();
    console.log(`  close with compaction: ${(performance.now() - started).toFixed(0)} ms`);
    started = performance.now();
    ledger = await openLedger({ dir });
    console.log(
      `  restart (snapshot of ${ledger.list("User").length} users, ${ledger.list("Group").length} groups): ${(performance.now() - started).toFixed(0)} ms`,
    );
  } finally {
    await ledger.close();
    await rm(scratch, { recursive: true, force: true });
  }
}
