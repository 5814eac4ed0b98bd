import type { ScimResource } from "../ledger/ledger.js";
import type { PolicyRepo } from "../repos/policy-repo.js";
import { groupFieldsFromFile, userFieldsFromFile } from "./identity-fields.js";
import { SYNC_BRANCH, identitiesDir } from "./sync-branch.js";

const USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group";

export interface LedgerSeed {
  readonly users: readonly ScimResource[];
  readonly groups: readonly ScimResource[];
  /** The branch the identities were read from. */
  readonly from: string;
}

/**
 * The IdP's view as the policy repository last recorded it, for a ledger that has to start without its data
 * directory (DESIGN §4): the sync branch when there is one (main plus everything acknowledged up to its last
 * flush), else main. Tombstones stay out (the IdP deleted them); the IdP's next sync restores what the YAML
 * does not hold. Rendering this seed again gives the same files, so seeding proposes nothing by itself.
 */
export async function readLedgerSeed(
  repo: PolicyRepo,
  options: { readonly policyDir?: string } = {},
): Promise<LedgerSeed> {
  const from = (await repo.head(SYNC_BRANCH)) === undefined ? repo.baseBranch : SYNC_BRANCH;
  const files = await repo.readFiles(from, identitiesDir(options.policyDir ?? "policies"));
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
      active: fields.active,
      emails: fields.emails.map((value, index) => ({ value, primary: index === 0 })),
      meta: { resourceType: "User" },
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
      meta: { resourceType: "Group" },
    });
  }
  return { users, groups, from };
}
