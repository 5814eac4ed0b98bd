import type { Annotation } from "./workflow-commands.js";

export class ValidationReportError extends Error {
  override name = "ValidationReportError";
}

interface ValidationJson {
  readonly diagnostics: readonly {
    severity: string;
    file: string;
    line: number;
    col: number;
    message: string;
  }[];
}

/** `scim-gitops validate --format json` → one annotation per diagnostic, at its file:line:col. */
export function annotationsFromValidation(json: string): Annotation[] {
  let parsed: ValidationJson;
  try {
    parsed = JSON.parse(json) as ValidationJson;
  } catch (error) {
    throw new ValidationReportError("validate --format json printed something that is not JSON", {
      cause: error,
    });
  }
  return parsed.diagnostics.map((diagnostic) => ({
    severity: diagnostic.severity === "error" ? "error" : "warning",
    file: diagnostic.file,
    line: diagnostic.line,
    col: diagnostic.col,
    message: diagnostic.message,
    title: `scim-gitops validate: ${diagnostic.severity}`,
  }));
}
