import { request, type Agent } from "node:http";

export interface SentReply {
  readonly status: number;
  readonly text: string;
  readonly retryAfter: string | undefined;
}

/**
 * One SCIM request with a JSON body over the caller's keep-alive agent, as an IdP's importer sends them:
 * the agent bounds the requests in flight, which a burst or a kill mid-import depends on.
 */
export function sendScim(
  agent: Agent,
  url: string,
  token: string,
  method: string,
  body: unknown,
): Promise<SentReply> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method,
      agent,
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/scim+json",
        "Content-Length": Buffer.byteLength(payload),
      },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      const retryAfter = res.headers["retry-after"];
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text, retryAfter }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(payload);
  });
}
