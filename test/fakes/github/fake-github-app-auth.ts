import type { KeyObject } from "node:crypto";
import { randomBytes } from "node:crypto";
import { jwtVerify } from "jose";
import { exampleOf } from "./fake-github-schemas.js";
import type { ReplyBody } from "./fake-github.js";

/** The GitHub App the fake knows: its id, the public half of its key, and its one installation. */
export interface FakeAppOptions {
  readonly id: number;
  readonly publicKey: KeyObject;
  readonly installationId?: number;
  /** How long minted installation tokens live; GitHub's are one hour. */
  readonly tokenLifetimeMs?: number;
}

const unauthorized = (message: string): ReplyBody => ({
  status: 401,
  body: { message, documentation_url: "https://docs.github.com/rest", status: "401" },
});

/** GitHub's App auth: RS256 JWTs for `/app/…` and the installation lookup, installation tokens for the rest. */
export class FakeAppAuth {
  readonly installationId: number;
  tokenLifetimeMs: number;
  /** Every token minted, with when it expires (ms since the epoch); tests may expire one early. */
  readonly tokens = new Map<string, number>();

  constructor(private readonly options: FakeAppOptions) {
    this.installationId = options.installationId ?? 4242;
    this.tokenLifetimeMs = options.tokenLifetimeMs ?? 3_600_000;
  }

  get appId(): number {
    return this.options.id;
  }

  /** Undefined when `authorization` carries a JWT GitHub would accept for this App, else GitHub's 401. */
  async checkJwt(authorization: string | undefined): Promise<ReplyBody | undefined> {
    const jwt = /^bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
    if (jwt === undefined || jwt.split(".").length !== 3)
      return unauthorized("A JSON web token could not be decoded");
    try {
      const { payload, protectedHeader } = await jwtVerify(jwt, this.options.publicKey, {
        algorithms: ["RS256"],
      });
      if (protectedHeader.alg !== "RS256") return unauthorized("A JSON web token could not be decoded");
      if (String(payload.iss) !== String(this.options.id))
        return unauthorized("'Issuer' claim ('iss') must be the App's id");
      const now = Math.floor(Date.now() / 1000);
      if (payload.exp === undefined || payload.exp - now > 600)
        return unauthorized("'Expiration time' claim ('exp') is too far in the future");
      if (payload.iat === undefined) return unauthorized("'Issued at' claim ('iat') must be an Integer");
      return undefined;
    } catch {
      return unauthorized("A JSON web token could not be decoded");
    }
  }

  /** Undefined when `authorization` carries an installation token this fake minted and that has not expired. */
  checkToken(authorization: string | undefined): ReplyBody | undefined {
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization ?? "")?.[1];
    const expires = token === undefined ? undefined : this.tokens.get(token);
    return expires !== undefined && expires > Date.now() ? undefined : unauthorized("Bad credentials");
  }

  installation(request: { owner: string; url: string }): ReplyBody {
    const template = exampleOf("GET /repos/{owner}/{repo}/installation") as Record<string, unknown>;
    return {
      status: 200,
      body: {
        ...template,
        id: this.installationId,
        app_id: this.options.id,
        access_tokens_url: `${request.url}/app/installations/${this.installationId}/access_tokens`,
        account: { ...(template["account"] as Record<string, unknown>), login: request.owner },
      },
    };
  }

  mint(installationId: number): ReplyBody {
    if (installationId !== this.installationId)
      return {
        status: 404,
        body: { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" },
      };
    const token = `ghs_${randomBytes(18).toString("hex")}`;
    const expiresAt = Date.now() + this.tokenLifetimeMs;
    this.tokens.set(token, expiresAt);
    const template = exampleOf("POST /app/installations/{installation_id}/access_tokens") as Record<
      string,
      unknown
    >;
    return {
      status: 201,
      body: {
        ...template,
        token,
        expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
        permissions: { contents: "write", pull_requests: "write", checks: "write", metadata: "read" },
        repository_selection: "selected",
      },
    };
  }

  /** Makes every token minted so far expired, as an hour passing would. */
  expireTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, Date.now() - 1);
  }
}
