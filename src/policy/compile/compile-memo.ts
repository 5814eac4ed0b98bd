import { createHash } from "node:crypto";
import { loadPolicy, type LoadOptions } from "../load/load.js";
import type { EffectiveAccess } from "../model/effective-access.js";
import type { Diagnostic, Policy, PolicyFiles, Settings } from "../model/model.js";
import type { PolicyTargets } from "../targets/policy-targets.js";
import { compilePolicy } from "./compile.js";

/** A policy loaded and compiled: what the engine and the emergency proof use of it. */
export interface CompiledFiles {
  readonly diagnostics: readonly Diagnostic[];
  readonly settings: Settings;
  /** Compiled on first use: a policy with errors is often only judged by its diagnostics. */
  readonly desired: EffectiveAccess;
}

/** Two revisions: an emergency's main and branch, which then become the apply's previous and new policy. */
const REMEMBERED = 2;

const memos = new WeakMap<PolicyTargets, Map<string, CompiledFiles>>();

/**
 * `loadPolicy` + `compilePolicy`, remembered by content (DESIGN §3 allows a cache keyed by content hash).
 * In `serve` one revision is compiled several times within seconds (the emergency proof of a leaver, the
 * apply of its merge, the next proof), about a second each on a large policy. Both are pure, and depend
 * on `now` only through its UTC day, so the key is the files' content, the display dir and the day.
 */
export function loadAndCompile(files: PolicyFiles, options: LoadOptions): CompiledFiles {
  let memo = memos.get(options.targets);
  if (memo === undefined) {
    memo = new Map();
    memos.set(options.targets, memo);
  }
  const key = keyOf(files, options);
  const found = memo.get(key);
  if (found !== undefined) {
    // Most recently used last.
    memo.delete(key);
    memo.set(key, found);
    return found;
  }
  const compiled = compileNow(files, options);
  memo.set(key, compiled);
  for (const oldest of memo.keys()) {
    if (memo.size <= REMEMBERED) break;
    memo.delete(oldest);
  }
  return compiled;
}

function compileNow(files: PolicyFiles, options: LoadOptions): CompiledFiles {
  const loaded = loadPolicy(files, options);
  // Held only until compiled: the model is not needed afterwards.
  let policy: Policy | undefined = loaded.policy;
  let desired: EffectiveAccess | undefined;
  return {
    diagnostics: loaded.diagnostics,
    settings: loaded.policy.settings,
    get desired() {
      if (desired === undefined) {
        desired = compilePolicy(policy as Policy, options.now);
        policy = undefined;
      }
      return desired;
    },
  };
}

function keyOf(files: PolicyFiles, options: LoadOptions): string {
  const hash = createHash("sha256");
  hash.update(`${options.dir}\0${options.now.toISOString().slice(0, 10)}\0`);
  for (const path of [...files.keys()].sort()) hash.update(`${path}\0${files.get(path) ?? ""}\0`);
  return hash.digest("hex");
}
