import { createPublicKey, type KeyObject } from "node:crypto";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
// SPKI wrapping of a raw 32-byte ed25519 public key, so node:crypto can import it.
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** nkeys text (seeds and public keys) is unpadded RFC 4648 base32: prefix byte(s), key, CRC16. */
export function decodeBase32(text: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error("not an nkey: check NATS_AUTH_ISSUER_SEED (an account seed, SA…)");
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

/** A public nkey (`N…` server, `A…` account) as a node:crypto key. */
export function publicKeyObject(nkey: string): KeyObject {
  const raw = decodeBase32(nkey).subarray(1, 33);
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: "der", type: "spki" });
}
