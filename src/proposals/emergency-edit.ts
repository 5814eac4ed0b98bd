import { renderGroupFile, renderUserFile } from "../policy/identities/identity-file.js";
import type { EmergencyCase } from "./emergency-trigger.js";
import { groupFieldsFromFile, userFieldsFromFile } from "./identity-fields.js";
import type { IdentityFiles, IdentityRenderer } from "./render-identities.js";

export type EmergencyEdit =
  | {
      readonly kind: "edit";
      /** Path under `identities/`. */
      readonly path: string;
      /** New text, or null to remove the file (a deleted group). */
      readonly content: string | null;
      /** File name without extension, for the branch name. */
      readonly slug: string;
      /** userNames whose access is cut, for the commit message. */
      readonly revoked: readonly string[];
    }
  | { readonly kind: "nothing"; readonly reason: string };

/**
 * The revocation, and only the revocation, as an edit of main's identity files: the user's own file made
 * inactive (a tombstone for a delete), or the group file without the members who left. Every other field
 * stays as main has it, so nothing the sync branch is still proposing rides along.
 */
export function emergencyEdit(
  emergency: EmergencyCase,
  main: IdentityFiles,
  renderer: IdentityRenderer,
  userNameOf: (id: string) => string | undefined,
  /** `renderer.indexById(main)`, computed once for a batch: edits keep every file's path. */
  index: ReturnType<IdentityRenderer["indexById"]> = renderer.indexById(main),
): EmergencyEdit {
  if (emergency.kind === "user") {
    const path = index.users.get(emergency.id);
    const text = path === undefined ? undefined : main.get(path);
    if (path === undefined || text === undefined) {
      return { kind: "nothing", reason: "main has no file for this user, so main grants them nothing" };
    }
    const fields = userFieldsFromFile(text);
    if (fields === undefined) return { kind: "nothing", reason: `${path} is not a readable user file` };
    if (!fields.active || fields.deleted !== undefined) {
      return { kind: "nothing", reason: "main already has this user inactive" };
    }
    const deleted = emergency.trigger === "deleted" ? emergency.at : undefined;
    return {
      kind: "edit",
      path,
      content: renderUserFile(text, {
        ...fields,
        active: false,
        ...(deleted === undefined ? {} : { deleted }),
      }),
      slug: slugOf(path),
      revoked: [fields.userName],
    };
  }
  const path = index.groups.get(emergency.id);
  const text = path === undefined ? undefined : main.get(path);
  if (path === undefined || text === undefined) {
    return { kind: "nothing", reason: "main has no file for this group" };
  }
  const fields = groupFieldsFromFile(text);
  if (fields === undefined) return { kind: "nothing", reason: `${path} is not a readable group file` };
  const removedNames = new Set(
    emergency.removedMemberIds.flatMap((id) => [userNameOf(id), userNameOnMain(id, main, index.users)]),
  );
  const revoked = fields.members.filter((member) => emergency.groupDeleted || removedNames.has(member));
  if (revoked.length === 0) {
    return { kind: "nothing", reason: "main's group file does not list the members who left" };
  }
  const content = emergency.groupDeleted
    ? null
    : renderGroupFile(text, {
        ...fields,
        members: fields.members.filter((member) => !removedNames.has(member)),
      });
  return { kind: "edit", path, content, slug: slugOf(path), revoked };
}

function userNameOnMain(
  id: string,
  main: IdentityFiles,
  users: ReadonlyMap<string, string>,
): string | undefined {
  const path = users.get(id);
  const text = path === undefined ? undefined : main.get(path);
  return text === undefined ? undefined : userFieldsFromFile(text)?.userName;
}

function slugOf(path: string): string {
  return (path.split("/").pop() ?? path).replace(/\.ya?ml$/, "");
}
