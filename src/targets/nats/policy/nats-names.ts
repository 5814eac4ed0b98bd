/**
 * NATS subject rules for permissions: dot-separated non-empty tokens, no whitespace, `*` and `>` only as whole
 * tokens, and `>` only last. Returns what is wrong and what to write, or undefined when valid.
 */
export const NATS_SUBJECT_PATTERN = "^[^\\s.]+(\\.[^\\s.]+)*$";

export function checkNatsSubject(subject: string): string | undefined {
  const quoted = JSON.stringify(subject);
  if (subject === "") return `the empty subject is not a NATS subject; write e.g. orders.> or remove it`;
  if (/\s/.test(subject)) return `${quoted} contains whitespace; NATS subjects cannot, so remove it`;
  const tokens = subject.split(".");
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] ?? "";
    if (token === "") {
      return `${quoted} has an empty token (a leading, trailing or doubled dot); remove the extra dot`;
    }
    if (token.includes(">") && token !== ">") {
      return `${quoted} uses > inside the token ${JSON.stringify(token)}; > must be a whole token, e.g. orders.>`;
    }
    if (token === ">" && index !== tokens.length - 1) {
      return `${quoted} has > before its last token; > matches the rest of a subject, so it must come last`;
    }
    if (token.includes("*") && token !== "*") {
      return `${quoted} uses * inside the token ${JSON.stringify(token)}; * must be a whole token, e.g. orders.*.created`;
    }
  }
  return undefined;
}

export function checkNatsAccount(account: string): string | undefined {
  if (/^[A-Za-z0-9_$-]+$/.test(account)) return undefined;
  return `${JSON.stringify(account)} is not a NATS account name this tool manages; use letters, digits, _, - and $`;
}

export function checkKvBucket(bucket: string): string | undefined {
  if (/^[A-Za-z0-9_-]+$/.test(bucket)) return undefined;
  return `${JSON.stringify(bucket)} is not a valid JetStream KV bucket name; use letters, digits, _ and -`;
}
