import { LineIndex } from "../yaml/load-yaml-tree.js";
import type { Diagnostic, Severity, SourceLocation } from "../model/model.js";
import type { DecodeReport } from "../schema/decoder.js";

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((diagnostic) => diagnostic.severity === "error");
}

/** `policies/access/x.yaml:12:5: error: <what is wrong>; <what to do>` — the form editors and CI link. */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const { file, line, col } = diagnostic.at;
  return `${file}:${line}:${col}: ${diagnostic.severity}: ${diagnostic.message}`;
}

/** Files first in path order, then by position, so output is stable and reads top to bottom. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.at.file < b.at.file ? -1 : a.at.file > b.at.file ? 1 : 0) ||
      a.at.line - b.at.line ||
      a.at.col - b.at.col,
  );
}

/**
 * Collects one file's diagnostics and turns offsets into `line:col`, building the file's line index only
 * when a position past the first byte is asked for.
 */
export class FileReport implements DecodeReport {
  #index: LineIndex | undefined;

  constructor(
    readonly file: string,
    private readonly text: string,
    private readonly sink: Diagnostic[],
  ) {}

  at(offset: number): SourceLocation {
    if (offset === 0) return { file: this.file, line: 1, col: 1 };
    this.#index ??= new LineIndex(this.text);
    return { file: this.file, ...this.#index.position(offset) };
  }

  report(severity: Severity, offset: number, message: string): void {
    this.sink.push({ severity, at: this.at(offset), message });
  }

  error(offset: number, message: string): void {
    this.report("error", offset, message);
  }

  warning(offset: number, message: string): void {
    this.report("warning", offset, message);
  }
}
