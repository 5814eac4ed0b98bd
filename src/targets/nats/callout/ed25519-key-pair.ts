import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { fromSeed, type KeyPair } from "@nats-io/nkeys";
import { decodeBase32 } from "./nkey-text.js";

// PKCS#8 wrapping of a raw 32-byte ed25519 seed, so node:crypto can import it.
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * An nkeys KeyPair whose signing runs on node:crypto. The stock pair is pure JS and re-derives the key on
 * every call (60–75 ms per callout, reference/nats.md); this one derives once. jwt.js accepts it unchanged.
 */
export function createFastKeyPair(seed: string): KeyPair {
  const stock = fromSeed(new TextEncoder().encode(seed));
  const raw = decodeBase32(seed).subarray(2, 34);
  const privateKey: KeyObject = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, raw]),
    format: "der",
    type: "pkcs8",
  });
  const publicKey = createPublicKey(privateKey);
  const publicText = stock.getPublicKey();
  // jwt.js calls getPrivateKey() on every encode to check the key is a seed; the stock pair derives it anew.
  const privateText = stock.getPrivateKey();
  return {
    getPublicKey: () => publicText,
    getPrivateKey: () => privateText,
    getSeed: () => stock.getSeed(),
    sign: (input) => new Uint8Array(sign(null, input, privateKey)),
    verify: (input, signature) => verify(null, input, publicKey, signature),
    clear: () => stock.clear(),
    seal: (input, recipient, nonce) => stock.seal(input, recipient, nonce),
    open: (message, sender) => stock.open(message, sender),
  };
}
