import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { slugFor } from "../../src/policy/identities/slug.js";

const never = (): boolean => false;
const hash6 = (id: string): string => createHash("sha256").update(id).digest("hex").slice(0, 6);

describe("slugFor", () => {
  it("lower-cases and turns every run of other characters into one dash", () => {
    expect(slugFor("alice@example.com", "id-1", never)).toBe("alice-example-com");
    expect(slugFor("  Payments -- Engineers!! ", "id-2", never)).toBe("payments-engineers");
    expect(slugFor("Zoë_O'Brien", "id-3", never)).toBe("zo-o-brien");
  });

  it("appends six hex digits of sha256(SCIM id) only on a collision", () => {
    const taken = new Set(["alice-example-com"]);
    expect(slugFor("Alice@Example.com", "id-9", (slug) => taken.has(slug))).toBe(
      `alice-example-com-${hash6("id-9")}`,
    );
  });

  it("still finds a free name when the hashed name is taken too", () => {
    const taken = new Set(["bob", `bob-${hash6("x")}`]);
    const slug = slugFor("bob", "x", (candidate) => taken.has(candidate));
    expect(taken.has(slug)).toBe(false);
    expect(slug.startsWith(`bob-${hash6("x")}`)).toBe(true);
  });

  it("names an identity whose name has no ASCII letters or digits by its hash", () => {
    expect(slugFor("日本", "id-4", never)).toBe(hash6("id-4"));
  });
});
