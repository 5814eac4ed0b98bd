/**
 * The node flags that write a `--cpu-prof` profile into `dir` (each bench's own `…_CPU_PROF=DIR` switch), or
 * none when it is unset: one definition for every bench that profiles a process it starts.
 */
export function cpuProfileArgs(dir: string | undefined): string[] {
  return dir === undefined || dir === "" ? [] : ["--cpu-prof", `--cpu-prof-dir=${dir}`];
}
