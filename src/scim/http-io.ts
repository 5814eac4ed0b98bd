/**
 * Reading request bodies (1 MiB cap, refused early from Content-Length or as soon as the stream passes it)
 * and writing SCIM JSON answers.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ScimError } from "./errors.js";

export const MAX_BODY_BYTES = 1024 * 1024;
export const SCIM_CONTENT_TYPE = "application/scim+json; charset=utf-8";

function tooLarge(): ScimError {
  return new ScimError(
    413,
    `The request body is larger than ${MAX_BODY_BYTES} bytes; split the change into smaller requests`,
  );
}

export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw new ScimError(400, "The request needs a JSON body", "invalidSyntax");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // V8's message quotes the body, which may hold a password: say where to look, not what was sent.
    throw new ScimError(
      400,
      "The request body is not valid JSON; check quotes, commas and braces",
      "invalidSyntax",
    );
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  res.writeHead(status, {
    ...(payload === undefined
      ? {}
      : { "Content-Type": SCIM_CONTENT_TYPE, "Content-Length": Buffer.byteLength(payload) }),
    ...headers,
  });
  res.end(payload);
}
