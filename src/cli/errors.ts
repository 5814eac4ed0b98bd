/**
 * Exit codes live here and nowhere else (STYLE habit 6): 0 ok, 1 error, 2 changes pending. Every thrown
 * error is exit 1; `main` is the one place that turns it into the code.
 */
export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_CHANGES = 2;

/** A mistake in how the command was called: the message says what to type instead. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The command ran and found problems it has already reported (validation errors, failed changes). */
export class ReportedFailure extends Error {
  override name = "ReportedFailure";
}

/** One line for a person: the message, then each `cause` that adds something. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    if (!(current instanceof Error)) {
      parts.push(typeof current === "string" ? current : JSON.stringify(current));
      break;
    }
    const { message } = current;
    if (!parts.some((part) => part.includes(message))) parts.push(message);
    current = current.cause;
  }
  return parts.join(": ");
}
