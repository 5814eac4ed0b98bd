import { UsageError } from "./errors.js";
import { readTreeFiles } from "../repos/git/git.js";

/**
 * Every file under the policy directory `dir` at revision `rev` of the git repository `repo`, keyed by path
 * relative to `dir` (empty when the revision has no such directory). A revision that cannot be read is a
 * usage error that says what to pass instead.
 */
export async function readPolicyRevision(
  repo: string,
  rev: string,
  dir: string,
): Promise<Map<string, string>> {
  try {
    return await readTreeFiles(repo, rev, dir);
  } catch (error) {
    throw new UsageError(
      `cannot read revision "${rev}" of ${repo}: name a commit, branch or tag that exists there (and pass --repo PATH when it is not the current directory)`,
      { cause: error },
    );
  }
}
