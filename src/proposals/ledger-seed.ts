import type { SeedResources } from "../ledger/journal-ledger-contract.js";
import type { ScimResource } from "../ledger/ledger.js";
import type { PolicyRepo } from "../repos/policy-repo.js";
import { groupFieldsFromFile, userFieldsFromFile } from "./identity-fields.js";
import type { IdentityFiles } from "./render-identities.js";
import { SYNC_BRANCH, identitiesDir } from "./sync-branch.js";

const USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group";

export interface LedgerSeed extends SeedResources {
  /** The branch the identities were read from. */
  readonly from: string;
}

/**
 * The IdP's view as the policy repository last recorded it, for a ledger that has to start without its data
 * directory (DESIGN §4): the sync branch when there is one (main plus everything acknowledged up to its last
 * flush), else main. Rendering this seed again gives the same files, so seeding proposes nothing by itself.
 */
export async function readLedgerSeed(
  repo: PolicyRepo,
  options: { readonly policyDir?: string; readonly now?: () => Date } = {},
): Promise<LedgerSeed> {
  const from = (await repo.head(SYNC_BRANCH)) === undefined ? repo.baseBranch : SYNC_BRANCH;
  const files = await repo.readFiles(from, identitiesDir(options.policyDir ?? "policies"));
  const readAt = (options.now?.() ?? new Date()).toISOString();
  return { ...seedFromIdentityFiles(files, readAt), from };
}

/**
 * The SCIM resources a revision's identity files describe (paths under `identities/`). Tombstones stay out
 * (the IdP deleted them); the IdP's next sync restores what the YAML does not hold. `meta.created` is the
 * file's `created`, and stays absent where a file does not record it: a later write must not pass its own
 * time off as the creation. `meta.lastModified` is `readAt`, the moment the ledger took this view: what a
 * GET answers did change then (attributes the YAML does not hold were lost), and it is never before
 * `created`.
 */
export function seedFromIdentityFiles(files: IdentityFiles, readAt: string): SeedResources {
  const users: ScimResource[] = [];
  const idByUserName = new Map<string, string>();
  for (const [path, text] of [...files].sort(([left], [right]) => (left < right ? -1 : 1))) {
    if (!path.startsWith("users/")) continue;
    const fields = userFieldsFromFile(text);
    if (fields === undefined || fields.deleted !== undefined || idByUserName.has(fields.userName)) continue;
    idByUserName.set(fields.userName, fields.id);
    users.push({
      schemas: [USER_URN],
      id: fields.id,
      ...(fields.externalId === undefined ? {} : { externalId: fields.externalId }),
      userName: fields.userName,
      ...(fields.displayName === undefined ? {} : { displayName: fields.displayName }),
      ...(fields.name === undefined ? {} : { name: { ...fields.name } }),
      active: fields.active,
      emails: fields.emails.map((value, index) => ({ value, primary: index === 0 })),
      meta: metaOf("User", fields.created, readAt),
    });
  }
  const groups: ScimResource[] = [];
  for (const [path, text] of files) {
    if (!path.startsWith("groups/")) continue;
    const fields = groupFieldsFromFile(text);
    if (fields === undefined) continue;
    groups.push({
      schemas: [GROUP_URN],
      id: fields.id,
      ...(fields.externalId === undefined ? {} : { externalId: fields.externalId }),
      displayName: fields.displayName,
      members: fields.members.flatMap((userName) => {
        const value = idByUserName.get(userName);
        return value === undefined ? [] : [{ value, display: userName }];
      }),
      meta: metaOf("Group", fields.created, readAt),
    });
  }
  return { users, groups };
}

function metaOf(resourceType: "User" | "Group", created: string | undefined, readAt: string) {
  return { resourceType, ...(created === undefined ? {} : { created }), lastModified: readAt };
}
