import type { UserIdentity } from "../model/model.js";

type PrincipalFields = Pick<UserIdentity, "userName" | "id" | "externalId" | "emails">;

/** The placeholders a template may use; validation names them when a template uses another. */
export const PRINCIPAL_FIELDS = ["userName", "id", "externalId", "emails[0]"] as const;

type Part = { readonly text: string } | { readonly field: string };

const PLACEHOLDER = /\{([^{}]*)\}/g;
/** Templates are few and users many: each template is split into parts once. */
const parsedTemplates = new Map<string, readonly Part[]>();

/**
 * A user's principal on a target from the settings template (DESIGN §3): `{userName}`, `{id}`,
 * `{externalId}`, `{emails[0]}`. Undefined when a field the template needs is missing or empty, or the
 * template names a field that does not exist: such a user gets no principal rather than a wrong one.
 */
export function renderPrincipal(template: string, user: PrincipalFields): string | undefined {
  let rendered = "";
  for (const part of partsOf(template)) {
    if ("text" in part) {
      rendered += part.text;
      continue;
    }
    const value = fieldValue(part.field, user);
    if (value === undefined || value === "") return undefined;
    rendered += value;
  }
  return rendered === "" ? undefined : rendered;
}

function partsOf(template: string): readonly Part[] {
  let parts = parsedTemplates.get(template);
  if (parts === undefined) {
    const parsed: Part[] = [];
    let last = 0;
    for (const match of template.matchAll(PLACEHOLDER)) {
      if (match.index > last) parsed.push({ text: template.slice(last, match.index) });
      parsed.push({ field: match[1] ?? "" });
      last = match.index + match[0].length;
    }
    if (last < template.length) parsed.push({ text: template.slice(last) });
    parts = parsed;
    parsedTemplates.set(template, parts);
  }
  return parts;
}

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
