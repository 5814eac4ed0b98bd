/**
 * Create, replace, patch and delete of Users and Groups through the ledger. Every read-modify-write runs
 * inside `ledger.update`'s edit callback, which the ledger serialises per resource, so concurrent group
 * PATCHes never lose a member (scimmy's PATCH reads outside any lock, defect 18). Uniqueness of
 * userName/displayName is the ledger's to enforce atomically; its refusal becomes 409 `uniqueness`.
 * A group's members are checked inside the same callback, so a user deleted concurrently never stays one.
 */
import { randomUUID } from "node:crypto";
import { NotFoundError, UniquenessError } from "../ledger/errors.js";
import type { IdentityLedger, LedgerOperation, ScimResource } from "../ledger/ledger.js";
import { ScimError, notFound } from "./errors.js";
import { MemberCheck, type Warn } from "./group-members.js";
import { buildStored, differs } from "./ingest.js";
import type { LookupIndex } from "./lookup-index.js";
import type { MembershipIndex } from "./membership-index.js";
import { isObject, normaliseResource, type Json } from "./normalise.js";
import { applyPatch } from "./patch-apply.js";
import type { PatchOperation } from "./patch-request.js";
import { groupSchema, type ResourceSchema } from "./schemas.js";

export interface OperationContext {
  readonly ledger: IdentityLedger;
  readonly memberships: MembershipIndex;
  readonly lookups: LookupIndex;
  readonly now: () => string;
  /** Something the IdP should fix, though the request succeeded; never given tokens or bodies. */
  readonly warn: Warn;
}

/** The ScimError a ledger refusal carries, however deep the ledger wrapped it. */
function findScimError(error: unknown): ScimError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof ScimError) return current;
    current = current.cause;
  }
  return undefined;
}

function translateLedgerError(error: unknown, schema: ResourceSchema): ScimError {
  const scim = findScimError(error);
  if (scim !== undefined) return scim;
  if (error instanceof NotFoundError) return notFound(schema.type, error.id);
  if (error instanceof UniquenessError) {
    const what = schema.type === "User" ? "userName" : "displayName";
    return new ScimError(
      409,
      `Another ${schema.type} already has this ${what} (compared case-insensitively)`,
      "uniqueness",
      {
        cause: error,
      },
    );
  }
  return new ScimError(
    500,
    "The identity ledger could not store the change; nothing was acknowledged, retry later",
    undefined,
    {
      cause: error,
    },
  );
}

async function write(
  context: OperationContext,
  schema: ResourceSchema,
  id: string,
  operation: LedgerOperation,
  edit: (current: ScimResource | undefined) => ScimResource | undefined,
): Promise<ScimResource | undefined> {
  try {
    const change = await context.ledger.update(schema.type, id, operation, edit);
    context.memberships.apply(change);
    context.lookups.apply(change);
    return change.after;
  } catch (error) {
    throw translateLedgerError(error, schema);
  }
}

function requireObject(body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw new ScimError(400, "The request body must be a JSON object", "invalidSyntax");
  return body;
}

export async function createResource(
  context: OperationContext,
  schema: ResourceSchema,
  body: unknown,
): Promise<ScimResource> {
  const attributes = normaliseResource(schema, requireObject(body));
  const id = randomUUID();
  const members = new MemberCheck(context.ledger, schema.type, context.warn);
  const created = await write(context, schema, id, "create", (current) => {
    if (current !== undefined)
      throw new ScimError(409, `A ${schema.type} with id ${id} already exists`, "uniqueness");
    return buildStored(schema, members.attributes(attributes), id, undefined, context.now());
  });
  members.warnIfLeftOut(id);
  return created!;
}

/** Rebuilds a stored resource from new attributes; an edit that changes nothing keeps it as it was. */
async function rewrite(
  context: OperationContext,
  schema: ResourceSchema,
  id: string,
  operation: LedgerOperation,
  attributesOf: (current: ScimResource) => Json,
): Promise<ScimResource> {
  const members = new MemberCheck(context.ledger, schema.type, context.warn);
  const rewritten = await write(context, schema, id, operation, (current) => {
    if (current === undefined) throw notFound(schema.type, id);
    const next = buildStored(schema, members.attributes(attributesOf(current)), id, current, context.now());
    return differs(current, next) ? next : current;
  });
  members.warnIfLeftOut(id);
  return rewritten!;
}

export async function replaceResource(
  context: OperationContext,
  schema: ResourceSchema,
  id: string,
  body: unknown,
): Promise<ScimResource> {
  const attributes = normaliseResource(schema, requireObject(body));
  return rewrite(context, schema, id, "replace", () => attributes);
}

export async function patchResource(
  context: OperationContext,
  schema: ResourceSchema,
  id: string,
  operations: readonly PatchOperation[],
): Promise<ScimResource> {
  if (context.ledger.get(schema.type, id) === undefined) throw notFound(schema.type, id);
  return rewrite(context, schema, id, "patch", (current) =>
    normaliseResource(schema, applyPatch(schema, current, operations)),
  );
}

export async function deleteResource(
  context: OperationContext,
  schema: ResourceSchema,
  id: string,
): Promise<void> {
  if (context.ledger.get(schema.type, id) === undefined) throw notFound(schema.type, id);
  await write(context, schema, id, "delete", (current) => {
    if (current === undefined) throw notFound(schema.type, id);
    return undefined;
  });
  if (schema.type === "User") await removeFromGroups(context, id);
}

/** A deleted user leaves every group, so no group lists a member that no longer exists. */
async function removeFromGroups(context: OperationContext, userId: string): Promise<void> {
  const removal: PatchOperation[] = [
    { op: "remove", path: `members[value eq ${JSON.stringify(userId)}]`, value: undefined, index: 1 },
  ];
  for (const groupId of context.memberships.groupsOf(userId)) {
    try {
      await patchResource(context, groupSchema, groupId, removal);
    } catch (error) {
      if (!(error instanceof ScimError && error.status === 404)) throw error;
    }
  }
}
