import { createHash } from "node:crypto";

/**
 * The file name (without `.yaml`) of an identity (DESIGN §3): lower case, every run of characters outside
 * `[a-z0-9]` becomes one `-`, trimmed of `-` at either end. Only on a collision does it take `-` and the
 * first 6 hex digits of sha256(SCIM id), so most files keep a name a person can guess. The caller decides
 * what is taken (an identity's own file is never a collision with itself: a file keeps its name for life).
 */
export function slugFor(name: string, scimId: string, isTaken: (slug: string) => boolean): string {
  const base = slugify(name);
  const digest = createHash("sha256").update(scimId, "utf8").digest("hex");
  if (base === "") return firstFree(digest, "", isTaken);
  if (!isTaken(base)) return base;
  return firstFree(digest, `${base}-`, isTaken);
}

export function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * Six hex digits collide once in ~16M pairs; when they do (or a person named a file that way), a longer
 * prefix of the same digest keeps the slug deterministic for this SCIM id.
 */
function firstFree(digest: string, prefix: string, isTaken: (slug: string) => boolean): string {
  for (let length = 6; length <= digest.length; length += 2) {
    const candidate = `${prefix}${digest.slice(0, length)}`;
    if (!isTaken(candidate)) return candidate;
  }
  for (let counter = 2; ; counter++) {
    const candidate = `${prefix}${digest}-${counter}`;
    if (!isTaken(candidate)) return candidate;
  }
}
