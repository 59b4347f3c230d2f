/** The fields of a `/proc/<pid>/stat` line the bench reads (proc(5)); times in clock ticks. */
export interface ProcStat {
  pid: number;
  /** The executable's name, e.g. `postgres` (the process title PostgreSQL sets is in cmdline, not here). */
  comm: string;
  ppid: number;
  utime: number;
  stime: number;
  /** Times of children this process has waited for: a postmaster's exited backends. */
  cutime: number;
  cstime: number;
}

/**
 * Parses one `/proc/<pid>/stat` line; undefined when it is not one. The name is in parentheses and may hold
 * spaces or parentheses itself, so the fields are counted from the last `)`.
 */
export function parseProcStat(line: string): ProcStat | undefined {
  const open = line.indexOf("(");
  const close = line.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const rest = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state): field n is rest[n - 3].
  const field = (n: number) => Number(rest[n - 3]);
  const stat = {
    pid: Number(line.slice(0, open).trim()),
    comm: line.slice(open + 1, close),
    ppid: field(4),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
  };
  const numbers = [stat.pid, stat.ppid, stat.utime, stat.stime, stat.cutime, stat.cstime];
  return numbers.every((n) => Number.isInteger(n) && n >= 0) ? stat : undefined;
}

/** CPU seconds per tag, in milliseconds; undefined without tags. */
export function cpuMsPerTag(cpuSec: number, tags: number): number | undefined {
  return tags > 0 ? (cpuSec * 1000) / tags : undefined;
}
