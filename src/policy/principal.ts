import type { UserIdentity } from "./model.js";

type PrincipalFields = Pick<UserIdentity, "userName" | "id" | "externalId" | "emails">;

const PLACEHOLDER = /\{([^{}]*)\}/g;

/**
 * A user's principal on a target from the settings template (DESIGN §3): `{userName}`, `{id}`,
 * `{externalId}`, `{emails[0]}`. Undefined when a field the template needs is missing or empty, or the
 * template names a field that does not exist: such a user gets no principal rather than a wrong one.
 */
export function renderPrincipal(template: string, user: PrincipalFields): string | undefined {
  let missing = false;
  const rendered = template.replace(PLACEHOLDER, (_match, field: string) => {
    const value = fieldValue(field, user);
    if (value === undefined || value === "") missing = true;
    return value ?? "";
  });
  return missing || rendered === "" ? undefined : rendered;
}

/** The placeholders a template may use; validation names them when a template uses another. */
export const PRINCIPAL_FIELDS = ["userName", "id", "externalId", "emails[0]"] as const;

function fieldValue(field: string, user: PrincipalFields): string | undefined {
  switch (field) {
    case "userName":
      return user.userName;
    case "id":
      return user.id;
    case "externalId":
      return user.externalId;
    case "emails[0]":
      return user.emails[0];
    default:
      return undefined;
  }
}
