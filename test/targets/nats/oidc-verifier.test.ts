import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenVerifier, TokenRejected } from "../../../src/targets/nats/callout/oidc-verifier.js";
import { startOidcIssuer, type OidcIssuer } from "../../support/oidc-issuer.js";

let oidc: OidcIssuer;
beforeAll(async () => {
  oidc = await startOidcIssuer();
});
afterAll(async () => oidc?.stop());

/** A verifier on a clock the test moves. */
async function verifierAt(start: number) {
  let clock = start;
  const verify = await createTokenVerifier({
    issuer: oidc.issuer,
    audience: oidc.audience,
    userClaim: "preferred_username",
    now: () => clock,
  });
  return { verify, advance: (ms: number) => void (clock += ms) };
}

describe("the callout's token check", () => {
  it("takes a token it verified as verified again, but never past its expiry", async () => {
    const token = await oidc.mint("alice", { expiresIn: 120 });
    const { verify, advance } = await verifierAt(Date.now());
    expect(await verify(token)).toBe("alice");
    advance(60_000);
    expect(await verify(token)).toBe("alice");
    advance(61_000);
    await expect(verify(token)).rejects.toThrow(new TokenRejected("the token has expired"));
  });

  it("never remembers a refusal: a token signed with another key is refused every time", async () => {
    const forged = await oidc.mint("alice", { foreignKey: true });
    const { verify } = await verifierAt(Date.now());
    await expect(verify(forged)).rejects.toThrow(TokenRejected);
    await expect(verify(forged)).rejects.toThrow(TokenRejected);
  });
});
