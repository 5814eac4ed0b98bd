import type { ExpiryJson } from "../policy/render/render-expiry.js";

export class ExpiryReportError extends Error {
  override name = "ExpiryReportError";
}

/** `scim-gitops expire --format json` read back; a shape the command does not print is refused, not guessed. */
export function expiryFromJson(json: string): ExpiryJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new ExpiryReportError("expire --format json printed something that is not JSON", { cause: error });
  }
  const report = parsed as Partial<ExpiryJson> | null;
  if (
    report === null ||
    typeof report.today !== "string" ||
    typeof report.warnWithinDays !== "number" ||
    !Array.isArray(report.expired) ||
    !Array.isArray(report.expiringSoon) ||
    !Array.isArray(report.files)
  ) {
    throw new ExpiryReportError(
      "expire --format json lacks today, warnWithinDays, expired, expiringSoon or files: is the action's build older than its source? re-run npm run build",
    );
  }
  return report as ExpiryJson;
}
