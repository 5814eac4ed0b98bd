/**
 * GitHub Actions workflow commands (`::error file=…,line=…,col=…::message`). The runner decodes `%25`,
 * `%0D`, `%0A` in the message and additionally `%3A` and `%2C` in property values, so a message or a
 * file name holding those characters cannot end the command early or forge another one.
 */
export interface Annotation {
  readonly severity: "error" | "warning" | "notice";
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
  readonly title?: string;
}

export function escapeCommandData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

export function escapeCommandProperty(text: string): string {
  return escapeCommandData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

export function formatAnnotation(annotation: Annotation): string {
  const properties = [
    `file=${escapeCommandProperty(annotation.file)}`,
    `line=${annotation.line}`,
    `col=${annotation.col}`,
    ...(annotation.title === undefined ? [] : [`title=${escapeCommandProperty(annotation.title)}`]),
  ];
  return `::${annotation.severity} ${properties.join(",")}::${escapeCommandData(annotation.message)}`;
}
