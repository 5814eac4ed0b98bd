import { describe, expect, it } from "vitest";
import { redactCredentials } from "../src/secret.js";

describe("redactCredentials", () => {
  it("hides Authorization values, GitHub tokens and JWTs wherever they are echoed", () => {
    const text = redactCredentials(
      "Bad credentials: token ghs_16C7e42F292c6912E7710c838347Ae178B4a; Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxMjMifQ.c2lnbmF0dXJl " +
        "Basic dXNlcjpwYXNz and a PAT github_pat_11ABCDEFG0123456789_abcdef",
    );
    expect(text).not.toMatch(/16C7e42F|eyJhbGci|dXNlcjpwYXNz|11ABCDEFG/);
    expect(text).toContain("Bearer [redacted]");
    expect(text).toContain("github_pat_[redacted]");
  });

  it("leaves the word token in GitHub's own messages readable", () => {
    const message = "A JSON web token could not be decoded";
    expect(redactCredentials(message)).toBe(message);
    expect(redactCredentials("the installation token expired")).toBe("the installation token expired");
  });
});
