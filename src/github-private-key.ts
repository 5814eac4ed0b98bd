import { createPrivateKey } from "node:crypto";

const PEM = /-----BEGIN (RSA )?PRIVATE KEY-----([\s\S]*?)-----END (RSA )?PRIVATE KEY-----/;

/**
 * The App's private key as Probot reads `PRIVATE_KEY` (@probot/get-private-key): PEM as downloaded, base64 of
 * it, or with `\n` escaped onto one line; a PEM flattened onto one line gets its line breaks back. Undefined
 * when the text is none of those, or when node cannot parse the key: the caller names the variable, since
 * the key itself must never be quoted.
 */
export function decodePrivateKey(raw: string): string | undefined {
  let text = raw.trim();
  if (isBase64(text)) text = Buffer.from(text, "base64").toString("utf8").trim();
  text = text.replace(/\\n/g, "\n");
  const pem = PEM.exec(text);
  if (pem === null) return undefined;
  const kind = pem[1] === undefined ? "PRIVATE KEY" : "RSA PRIVATE KEY";
  const body = (pem[2] ?? "").trim().replace(/\s+/g, "\n");
  const key = `-----BEGIN ${kind}-----\n${body}\n-----END ${kind}-----\n`;
  try {
    const parsed = createPrivateKey(key);
    return parsed.asymmetricKeyType === "rsa" ? key : undefined;
  } catch {
    return undefined;
  }
}

function isBase64(text: string): boolean {
  return text !== "" && Buffer.from(text, "base64").toString("base64") === text;
}
