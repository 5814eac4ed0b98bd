import { compilePolicy } from "../../policy/compile/compile.js";
import type { AccessDiff } from "../../policy/diff/access-change.js";
import { diffAccess } from "../../policy/diff/access-diff.js";
import { loadPolicy } from "../../policy/load/load.js";
import type { PolicyFiles } from "../../policy/model/model.js";
import type { PolicyTargets } from "../../policy/targets/policy-targets.js";
import { POLICY_TARGETS } from "../../targets/registry.js";
import type { IdentityFiles } from "../render-identities.js";

/**
 * The access diff of the sync PR: main's policy against main's policy with the sync head's identities.
 * The sync branch is "main + rendered identities" (DESIGN §5), so the head's other files are main's and
 * need not be read again.
 */
export function syncAccessDiff(
  main: PolicyFiles,
  headIdentities: IdentityFiles,
  options: { readonly dir: string; readonly now: Date; readonly targets?: PolicyTargets },
): AccessDiff {
  const load = { ...options, targets: options.targets ?? POLICY_TARGETS };
  const head = new Map([...main].filter(([path]) => !path.startsWith("identities/")));
  for (const [path, text] of headIdentities) head.set(`identities/${path}`, text);
  const compile = (files: PolicyFiles) => compilePolicy(loadPolicy(files, load).policy, options.now);
  return diffAccess(compile(main), compile(head), load.targets);
}

/** Main's identity files, keyed as the renderer keys them (relative to `identities/`). */
export function identitiesOf(main: PolicyFiles): Map<string, string> {
  return new Map(
    [...main]
      .filter(([path]) => path.startsWith("identities/"))
      .map(([path, text]) => [path.slice("identities/".length), text]),
  );
}
