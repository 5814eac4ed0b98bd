import { renderAccessDiffMarkdown } from "../../policy/render/render-access-diff-markdown.js";
import type { Proof } from "../prove-revocation-only.js";

const BODY_BUDGET = 65_000;

/**
 * The emergency PR's body: the commit's own description (who is revoked and why, and "Not merged: …" when
 * the mass-revocation guard holds it), the verdict of the revocation-only proof, and the per-person table of what is lost, with the binding and role behind each
 * line. The trailers stay in the commit, not here.
 */
export function renderEmergencyBody(input: { readonly message: string; readonly proof?: Proof }): string {
  const lines = input.message.split("\n");
  const description = lines
    .slice(1)
    .filter((line) => !/^[A-Z][A-Za-z-]*: /.test(line))
    .join("\n")
    .trim();
  const { proof } = input;
  const verdict =
    proof === undefined
      ? "⚠️ No revocation-only proof came with this proposal: a person must review it."
      : proof.proven
        ? `✅ Proven revocation-only: ${proof.diff.peopleLosing} person(s) lose ${proof.diff.revocations} ` +
          "permission(s) and nobody gains anything."
        : `⛔ Not proven revocation-only (${proof.reason}): the bot will not merge it; a person must review it.`;
  const head = [description, "", verdict, ""].join("\n");
  const diff = proof?.diff;
  const table = diff === undefined ? "" : renderAccessDiffMarkdown(diff, BODY_BUDGET - head.length - 2);
  return `${[head, table].join("\n").trimEnd()}\n`;
}
