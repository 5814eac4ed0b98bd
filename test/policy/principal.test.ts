import { describe, expect, it } from "vitest";
import { renderPrincipal } from "../../src/policy/compile/principal.js";

const alice = {
  userName: "alice@example.com",
  id: "2819c223",
  externalId: "00u1",
  emails: ["a@example.org"],
};

describe("renderPrincipal", () => {
  it("fills every documented placeholder, keeping the text around them", () => {
    expect(renderPrincipal("{userName}", alice)).toBe("alice@example.com");
    expect(renderPrincipal("sso:{externalId}/{id}", alice)).toBe("sso:00u1/2819c223");
    expect(renderPrincipal("{emails[0]}", alice)).toBe("a@example.org");
  });

  it("gives no principal when a field is missing or the placeholder is unknown", () => {
    expect(renderPrincipal("{externalId}", { ...alice, externalId: undefined })).toBeUndefined();
    expect(renderPrincipal("{emails[0]}", { ...alice, emails: [] })).toBeUndefined();
    expect(renderPrincipal("user-{department}", alice)).toBeUndefined();
    expect(renderPrincipal("", alice)).toBeUndefined();
  });
});
