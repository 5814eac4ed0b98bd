/**
 * Property: whatever sequence of creates, replaces, renames and deletes the ledger acknowledged, a process
 * opening the data directory afterwards (replaying journal and snapshots) sees exactly the same resources, in
 * the same order, with the same seq. Updates are journalled as deltas (resource-delta.ts), so this is also
 * the check that replaying them rebuilds every resource exactly.
 */
import { cp, rm } from "node:fs/promises";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openLedger } from "../../src/ledger/journal-ledger.js";
import type { ScimResource } from "../../src/ledger/ledger.js";
import { group, makeDataDir, user } from "./ledger-fixture.js";

let dir: string;
let remove: () => Promise<void>;

beforeEach(async () => {
  ({ dir, remove } = await makeDataDir());
});

afterEach(async () => {
  await remove();
  await rm(`${dir}-runs`, { recursive: true, force: true });
});

const operation = fc.record({
  kind: fc.constantFrom("User" as const, "Group" as const),
  slot: fc.integer({ min: 0, max: 7 }),
  name: fc.constantFrom("a", "A", "b", "c", "d"),
  remove: fc.boolean(),
  members: fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 4 }),
});

describe("replay", () => {
  it("rebuilds exactly what was acknowledged, across compactions", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { maxLength: 40 }),
        fc.integer({ min: 0, max: 3 }),
        async (ops, split) => {
          const runDir = `${dir}-runs/${run++}`;
          const ledger = await openLedger({ dir: runDir, compactAfterBytes: 1_500 });
          const writes = ops.map(async (op, index) => {
            const id = `${op.kind}-${op.slot}`;
            const next = (current: ScimResource | undefined): ScimResource | undefined => {
              if (op.remove) return current === undefined ? current : undefined;
              return op.kind === "User"
                ? user(id, `${op.name}@x.io`, { title: `v${index}` })
                : group(
                    id,
                    `team ${op.name}`,
                    op.members.map((member) => `User-${member}`),
                  );
            };
            if (index % (split + 1) === 0) await new Promise((resolve) => setImmediate(resolve));
            return ledger.update(op.kind, id, op.remove ? "delete" : "replace", next).catch(() => undefined);
          });
          await Promise.all(writes);
          const expected = {
            users: ledger.list("User"),
            groups: ledger.list("Group"),
            seq: ledger.lastSeq,
          };
          // A copy of the directory now is what kill -9 leaves: snapshot and journal, no compaction on close.
          await cp(runDir, `${runDir}-crash`, { recursive: true });
          await ledger.close();
          for (const copy of [`${runDir}-crash`, runDir]) {
            const reopened = await openLedger({ dir: copy });
            try {
              // As JSON text: attribute order counts too (replies and the snapshot serialise it).
              expect(JSON.stringify(reopened.list("User"))).toBe(JSON.stringify(expected.users));
              expect(JSON.stringify(reopened.list("Group"))).toBe(JSON.stringify(expected.groups));
              expect(reopened.lastSeq).toBe(expected.seq);
              for (const resource of expected.users) {
                expect(reopened.findByName("User", String(resource.userName).toUpperCase())?.id).toBe(
                  resource.id,
                );
              }
            } finally {
              await reopened.close();
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
