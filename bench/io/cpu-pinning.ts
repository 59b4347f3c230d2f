import { execFileSync } from "node:child_process";

/**
 * Pins every thread of process `pid` to the `taskset -c` list `cpus` (threads started later inherit it).
 * bench:live pins itself, where the workload runs, beside the private server.
 */
export function pinProcess(pid: number, cpus: string): void {
  execFileSync("taskset", ["-a", "-p", "-c", cpus, String(pid)], { stdio: "ignore" });
}

/** The `taskset -c` list of every CPU of a machine with `cpus` of them. */
export function allCpus(cpus: number): string {
  return cpus <= 1 ? "0" : `0-${cpus - 1}`;
}
