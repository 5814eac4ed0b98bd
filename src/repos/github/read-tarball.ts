import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import type { GitHubResponse } from "./github-request.js";

const BLOCK = 512;

function text(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString("utf8");
}

/** The `path` record of a pax extended header ("<len> path=<value>\n" records), if any. */
function paxPath(records: Buffer): string | undefined {
  let offset = 0;
  let path: string | undefined;
  while (offset < records.length) {
    const space = records.indexOf(0x20, offset);
    const length = Number(records.subarray(offset, space).toString("ascii"));
    if (space === -1 || !Number.isInteger(length) || length <= 0) break;
    const record = records.subarray(space + 1, offset + length - 1).toString("utf8");
    if (record.startsWith("path=")) path = record.slice("path=".length);
    offset += length;
  }
  return path;
}

/**
 * The regular files of a repository tarball (`GET /tarball/{ref}`, gzip, ustar with pax headers as
 * `git archive` writes them), keyed by path with GitHub's top-level `<owner>-<repo>-<sha>/` removed.
 */
function readTarball(gzipped: Uint8Array): Map<string, Buffer> {
  const tar = gunzipSync(gzipped);
  const files = new Map<string, Buffer>();
  let longPath: string | undefined;
  for (let offset = 0; offset + BLOCK <= tar.length;) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const size = parseInt(text(header, 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const body = tar.subarray(offset + BLOCK, offset + BLOCK + size);
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "x") {
      longPath = paxPath(body);
      continue;
    }
    const prefix = text(header, 345, 155);
    const path = longPath ?? (prefix === "" ? text(header, 0, 100) : `${prefix}/${text(header, 0, 100)}`);
    longPath = undefined;
    if (type !== "0" && type !== "\0") continue;
    const slash = path.indexOf("/");
    files.set(slash === -1 ? path : path.slice(slash + 1), Buffer.from(body));
  }
  return files;
}

/** A file's git blob id, so tarball contents can fill the blob cache the tree listing is checked against. */
function gitBlobId(content: Buffer): string {
  return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

/**
 * Downloads the commit once and fills `cache` (blob id → text) from it: on a cold start, or after a bulk
 * change, one request instead of one per blob. GitHub answers with a redirect that fetch follows.
 */
export async function cacheTarball(
  send: (route: string, parameters: Record<string, unknown>) => Promise<GitHubResponse>,
  commit: string,
  cache: Map<string, string>,
): Promise<void> {
  const response = await send("GET /repos/{owner}/{repo}/tarball/{ref}", { ref: commit });
  if (!(response.data instanceof ArrayBuffer)) return;
  for (const content of readTarball(new Uint8Array(response.data)).values()) {
    cache.set(gitBlobId(content), content.toString("utf8"));
  }
}
