/** The UTC day of `now` as `YYYY-MM-DD`: the unit `expires:` is written in and compile compares with. */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

const DAY_MS = 86_400_000;

/** Whole days from `from` to `to` (both `YYYY-MM-DD`); undefined when either is not a real date. */
export function daysBetween(from: string, to: string): number | undefined {
  const start = dayNumber(from);
  const end = dayNumber(to);
  return start === undefined || end === undefined ? undefined : end - start;
}

function dayNumber(day: string): number | undefined {
  const time = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== day) return undefined;
  return Math.round(time / DAY_MS);
}
