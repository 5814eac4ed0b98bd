import { describe, expect, it } from "vitest";
import {
  escapeCommandData,
  escapeCommandProperty,
  formatAnnotation,
} from "../../src/action/workflow-commands.js";

describe("workflow command annotations", () => {
  it("puts the annotation at file:line:col", () => {
    expect(
      formatAnnotation({
        severity: "error",
        file: "policies/access/a.yaml",
        line: 3,
        col: 7,
        message: "unknown key",
      }),
    ).toBe("::error file=policies/access/a.yaml,line=3,col=7::unknown key");
  });

  it("escapes what would end the command early or forge another one", () => {
    const line = formatAnnotation({
      severity: "warning",
      file: "policies/odd,name:x.yaml",
      line: 1,
      col: 2,
      title: "a: b, c",
      message: "100% wrong\r\n::error::forged",
    });
    expect(line).toBe(
      "::warning file=policies/odd%2Cname%3Ax.yaml,line=1,col=2,title=a%3A b%2C c::100%25 wrong%0D%0A::error::forged",
    );
    expect(line.split("\n")).toHaveLength(1);
  });

  it("escapes % first, so an already-escaped sequence stays literal", () => {
    expect(escapeCommandData("%0A")).toBe("%250A");
    expect(escapeCommandProperty("%3A")).toBe("%253A");
  });
});
