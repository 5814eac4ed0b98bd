import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { PolicyRepoError } from "../policy-repo.js";
import { git } from "./git.js";
import { GitPolicyRepo } from "./git-policy-repo.js";

/** The example policies shipped in the package (`policies/` at its root, in both `src/` and `dist/`). */
export const BUNDLED_POLICIES = fileURLToPath(new URL("../../../policies", import.meta.url));

export interface OpenGitPolicyRepoOptions {
  /** A directory whose files become the first commit when the repository has to be created. */
  readonly createFrom?: string;
  /** Where those files go inside the repository (DESIGN §9 `POLICY_DIR`). */
  readonly policyDir?: string;
  readonly baseBranch?: string;
}

/**
 * Opens the repository at `path`, creating it on first run: a bare repository (`git init --bare -b main`),
 * since the bot moves `main` with plumbing and a checked-out `main` would go stale under a person's feet and
 * refuse their pushes. People clone it, push to it and read it with `git -C PATH log`, as with a hosted repo.
 */
export async function openGitPolicyRepo(
  path: string,
  options: OpenGitPolicyRepoOptions = {},
): Promise<GitPolicyRepo> {
  const root = resolve(path);
  const baseBranch = options.baseBranch ?? "main";
  const exists = await isRepository(root);
  if (!exists) {
    if (options.createFrom === undefined) {
      throw new PolicyRepoError(
        `${root} is not a git repository: point --repo at one, or let serve create it from the examples`,
      );
    }
    await mkdir(root, { recursive: true });
    if ((await readdir(root)).length > 0) {
      throw new PolicyRepoError(
        `${root} exists and is not an empty directory or a git repository: choose another --repo path`,
      );
    }
    await git(["init", "--quiet", "--bare", "-b", baseBranch, "."], { cwd: root });
  }
  const repo = new GitPolicyRepo(root, baseBranch);
  if ((await repo.head(baseBranch)) === undefined) {
    if (options.createFrom === undefined) {
      throw new PolicyRepoError(
        `${root} has no ${baseBranch} branch: push the policies to it first, or start from an empty directory`,
      );
    }
    await commitInitialPolicies(repo, options.createFrom, options.policyDir ?? "policies");
  }
  return repo;
}

async function isRepository(root: string): Promise<boolean> {
  const present = async (name: string) => {
    try {
      await stat(join(root, name));
      return true;
    } catch {
      return false;
    }
  };
  return (await present(".git")) || ((await present("HEAD")) && (await present("objects")));
}

async function commitInitialPolicies(repo: GitPolicyRepo, from: string, policyDir: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(from, { recursive: true, withFileTypes: true });
  } catch (error) {
    throw new PolicyRepoError(`cannot read the example policies at ${from}: reinstall scim-gitops`, {
      cause: error,
    });
  }
  const prefix = policyDir.replace(/^\/+|\/+$/g, "");
  const paths = entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  const changes = await Promise.all(
    paths.map(async (file) => ({
      path: [prefix, relative(from, file).split(sep).join("/")].filter((part) => part !== "").join("/"),
      content: await readFile(file, "utf8"),
    })),
  );
  const commit = await repo.writeCommit(
    undefined,
    changes,
    "Start the policy repository from the scim-gitops examples\n",
  );
  await repo.setBranch(repo.baseBranch, commit, { kind: "create" });
}
