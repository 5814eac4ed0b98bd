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

  it("summarises an import instead of listing thousands of trailers", () => {
    const operations = Array.from({ length: 10_000 }, (_, index) => ({
      seq: index + 1,
      type: index < 9_000 ? ("User" as const) : ("Group" as const),
      id: `id-${index}`,
      operation: index < 9_500 ? ("create" as const) : ("patch" as const),
    }));
    const trailers = operationTrailers(operations);
    expect(trailers).toHaveLength(52);
    expect(trailers.at(-2)).toBe(
      "SCIM-Operations-Not-Listed: 9950 (POST User ×8950, POST Group ×500, PATCH Group ×500)",
    );
    expect(trailers.at(-1)).toBe("SCIM-Seq: 1..10000");
  });
});
