import { describe, expect, it } from "vitest";
import { operationTrailers, syncCommitMessage } from "../../src/proposals/commit-message.js";

describe("sync commit messages", () => {
  it("names each operation as a trailer with the ledger range", () => {
    const message = syncCommitMessage({
      operations: [
        { seq: 8, type: "User", id: "u1", operation: "patch" },
        { seq: 7, type: "User", id: "u1", operation: "create" },
        { seq: 9, type: "Group", id: "g1", operation: "replace" },
      ],
      changedFiles: 2,
      base: "0123456789abcdef0123456789abcdef01234567",
      rebuilt: false,
    });
    expect(message).toBe(
      [
        "Sync 3 SCIM operations into identity files",
        "",
        "Rendered from the identity ledger; 2 identity file(s) change in this commit.",
        "",
        "SCIM-Operation: POST User u1",
        "SCIM-Operation: PATCH User u1",
        "SCIM-Operation: PUT Group g1",
        "SCIM-Seq: 7..9",
        "SCIM-Base: 0123456789abcdef0123456789abcdef01234567",
        "",
      ].join("\n"),
    );
  });

  it("names every operation of an import, so each changed line leads to its IdP operation", () => {
    const operations = Array.from({ length: 10_000 }, (_, index) => ({
      seq: index + 1,
      type: index < 9_000 ? ("User" as const) : ("Group" as const),
      id: `id-${index}`,
      operation: index < 9_500 ? ("create" as const) : ("patch" as const),
    }));
    const trailers = operationTrailers(operations);
    expect(trailers).toHaveLength(10_001);
    expect(trailers[9_000]).toBe("SCIM-Operation: POST Group id-9000");
    expect(trailers.at(-2)).toBe("SCIM-Operation: PATCH Group id-9999");
    expect(trailers.at(-1)).toBe("SCIM-Seq: 1..10000");
  });

  it("names identities changed before a restart, which no known operation explains", () => {
    const message = syncCommitMessage({
      operations: [],
      recovered: [{ type: "User", id: "u1", lastModified: "2026-11-29T02:15:00.000Z" }],
      changedFiles: 1,
      base: "0123456789abcdef0123456789abcdef01234567",
      rebuilt: true,
    });
    expect(message.split("\n")[0]).toBe("Sync 1 identity changed before a restart");
    expect(message).toContain(
      "SCIM-Recovered: User u1 changed before a restart (last modified 2026-11-29T02:15:00.000Z)\n",
    );
  });
});
