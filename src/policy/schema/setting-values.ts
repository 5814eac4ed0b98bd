/** Checks on single settings values; each returns what is wrong and what to write, or undefined. */
import { PRINCIPAL_FIELDS } from "../compile/principal.js";

const PLACEHOLDERS: readonly string[] = PRINCIPAL_FIELDS.map((field) => `{${field}}`);

export function checkPrincipalTemplate(template: string): string | undefined {
  const used = template.match(/\{[^}]*\}/g) ?? [];
  const unknown = used.find((placeholder) => !PLACEHOLDERS.includes(placeholder));
  if (unknown !== undefined) {
    return `${unknown} is not a user field a principal can use; use ${PLACEHOLDERS.join(", ")}`;
  }
  if (used.length === 0) {
    return `${JSON.stringify(template)} names no user field, so everyone would share one principal; use e.g. "{userName}"`;
  }
  return undefined;
}

export const PERCENT_PATTERN = "^(100|[0-9]{1,2})(\\.[0-9]+)?%$";

export function checkPercent(value: string): string | undefined {
  if (new RegExp(PERCENT_PATTERN).test(value) && Number.parseFloat(value) <= 100) return undefined;
  return `${JSON.stringify(value)} is not a share; write a percentage such as "25%" or a whole number such as 10`;
}

/** A real calendar date written `YYYY-MM-DD`. */
export function checkDate(value: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match !== null) {
    const date = new Date(`${value}T00:00:00Z`);
    if (!Number.isNaN(date.getTime()) && date.toISOString().startsWith(value)) return undefined;
  }
  return `${JSON.stringify(value)} is not a date; write YYYY-MM-DD, e.g. 2027-06-30`;
}
