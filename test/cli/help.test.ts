import { describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { main } from "../../src/cli/main.js";

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

describe("scim-gitops --help", () => {
  it("lists every command and exits 0", async () => {
    const out = capture();
    const code = await main(["--help"], { stdout: out.stream });
    expect(code).toBe(0);
    expect(out.text()).toContain("Usage: scim-gitops <command>");
  });

  it("refuses an unknown command with exit 1 and the list", async () => {
    const err = capture();
    const code = await main(["frobnicate"], { stderr: err.stream });
    expect(code).toBe(1);
    expect(err.text()).toContain('unknown command "frobnicate"');
  });
});
