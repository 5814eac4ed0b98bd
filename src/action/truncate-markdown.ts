/** GitHub refuses comment and issue bodies over 65,536 characters. */
export const GITHUB_BODY_LIMIT = 65_536;

/**
 * Cuts `body` to fit under `limit` at a line boundary and says where the rest is. Counted in UTF-16 code
 * units, as GitHub counts; a code fence left open by the cut is closed so the pointer renders as text.
 */
export function truncateMarkdown(body: string, limit: number, pointer: string): string {
  if (body.length <= limit) return body;
  const notice = `\n\n---\n**Truncated.** ${pointer}\n`;
  const room = limit - notice.length - "\n```".length;
  const cut = body.slice(0, room);
  const kept = cut.slice(0, Math.max(cut.lastIndexOf("\n"), 0));
  const fences = kept.match(/^```/gm)?.length ?? 0;
  return `${kept}${fences % 2 === 1 ? "\n```" : ""}${notice}`;
}
