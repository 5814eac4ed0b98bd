/**
 * The cost of the SCIM input checks (issue 9): parsing a filter at the length bound, refusing one past the
 * nesting or length bound, and keeping a 10k-member group's members to users on every group write.
 * Goal: each well under a millisecond or two, so the checks never show in an IdP's request latency.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openLedger } from "../src/ledger/journal-ledger.js";
import { MAX_EXPRESSION_LENGTH } from "../src/scim/expression-limits.js";
import { parseFilter } from "../src/scim/filter-parse.js";
import { keepUserMembers } from "../src/scim/group-members.js";
import { buildStored } from "../src/scim/ingest.js";
import { normaliseResource } from "../src/scim/normalise.js";
import { applyPatch } from "../src/scim/patch-apply.js";
import { groupSchema, userSchema } from "../src/scim/schemas.js";

const MEMBERS = 10_000;

function timed(label: string, runs: number, work: () => unknown): void {
  for (let i = 0; i < Math.min(50, runs); i++) attempt(work);
  const start = performance.now();
  for (let i = 0; i < runs; i++) attempt(work);
  console.log(`${label}: ${((performance.now() - start) / runs).toFixed(3)} ms`);
}

function attempt(work: () => unknown): void {
  try {
    work();
  } catch {
    // A refusal is what is being timed.
  }
}

export async function run(): Promise<void> {
  let longest = "id pr";
  while (`${longest} or id pr`.length <= MAX_EXPRESSION_LENGTH) longest += " or id pr";
  timed(`parse a ${longest.length}-character or-chain`, 500, () => parseFilter(userSchema, longest));
  timed("refuse 3,000 '('", 500, () => parseFilter(userSchema, "(".repeat(3000)));
  timed("refuse a 20,000-character filter", 500, () => parseFilter(userSchema, "(".repeat(20_000)));

  const dir = await mkdtemp(join(tmpdir(), "scim-input-bench-"));
  const ledger = await openLedger({ dir });
  try {
    const ids = Array.from({ length: MEMBERS }, (_, i) => `user-${i}`);
    await Promise.all(
      ids.map((id) =>
        ledger.update("User", id, "create", () => ({ id, schemas: [], userName: `${id}@example.com` })),
      ),
    );
    const group = { members: [...ids, "no-such-user"].map((value) => ({ value })) };
    timed(`keep a ${MEMBERS}-member group's members to users`, 200, () => keepUserMembers(ledger, group));
    // For scale: what a member-add PATCH on that group costs without the check.
    const stored = { id: "g", schemas: [groupSchema.urn], displayName: "big", members: group.members };
    const add = [{ op: "add" as const, path: "members", value: [{ value: "user-1" }], index: 1 }];
    timed(`the rest of a member-add PATCH on it`, 20, () =>
      buildStored(
        groupSchema,
        normaliseResource(groupSchema, applyPatch(groupSchema, stored, add)),
        "g",
        stored,
        "now",
      ),
    );
    // Baseline: scimmy's check of every member, as every group write did before issue 11.
    timed(`  baseline: the same, checking all ${MEMBERS} members again`, 5, () =>
      buildStored(
        groupSchema,
        normaliseResource(groupSchema, applyPatch(groupSchema, stored, add)),
        "g",
        undefined,
        "now",
      ),
    );
  } finally {
    await ledger.close();
    await rm(dir, { recursive: true, force: true });
  }
}
