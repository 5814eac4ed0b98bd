/**
 * SCIM errors as RFC 7644 §3.12 describes them. Everything the service refuses becomes one of these, so the
 * HTTP layer always answers with a SCIM error body and never with HTML.
 */

export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

export type ScimType =
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "invalidVers"
  | "sensitive";

export class ScimError extends Error {
  override name = "ScimError";
  readonly status: number;
  readonly scimType: ScimType | undefined;

  constructor(status: number, detail: string, scimType?: ScimType, options?: { cause?: unknown }) {
    super(detail, options);
    this.status = status;
    this.scimType = scimType;
  }
}

export interface ScimErrorBody {
  readonly schemas: readonly [typeof ERROR_SCHEMA];
  readonly status: string;
  readonly scimType?: ScimType;
  readonly detail: string;
}

export function toErrorBody(error: ScimError): ScimErrorBody {
  return {
    schemas: [ERROR_SCHEMA],
    status: String(error.status),
    ...(error.scimType === undefined ? {} : { scimType: error.scimType }),
    detail: error.message,
  };
}

export function invalidValue(detail: string): ScimError {
  return new ScimError(400, detail, "invalidValue");
}

export function notFound(type: string, id: string): ScimError {
  return new ScimError(404, `${type} "${id}" not found; list ${type}s to find its current id`);
}

export class MethodNotAllowedError extends ScimError {
  override name = "MethodNotAllowedError";
  readonly allow: string;

  constructor(method: string, allow: readonly string[]) {
    super(405, `${method} is not allowed here; use ${allow.join(" or ")}`);
    this.allow = allow.join(", ");
  }
}
