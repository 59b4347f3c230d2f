/**
 * Where bench:live puts its processes. `separate` models production, where the backfill's workers run on
 * hosts of their own and the database has its cores to itself: a private PostgreSQL server and the
 * application workload pinned to CPU 0, the backfill process on the other CPUs (`taskset`). `shared` is
 * the old way: everything unpinned on the machine's shared server, the backfill's signing and JSON work
 * competing with the database and the workload for the same cores.
 */
export type Topology = "separate" | "shared";

export const TOPOLOGIES: readonly Topology[] = ["separate", "shared"];

export interface Placement {
  topology: Topology;
  /** Why this topology ran, for the report. */
  why: string;
  /** `taskset -c` lists; undefined: unpinned. */
  databaseCpus: string | undefined;
  workloadCpus: string | undefined;
  backfillCpus: string | undefined;
}

export class TopologyError extends Error {
  override readonly name = "TopologyError";
}

/** `separate` by default on a machine with 2 or more CPUs, `shared` on one; asking for `separate` on one fails. */
export function chooseTopology(requested: Topology | undefined, cpus: number): Placement {
  const topology = requested ?? (cpus >= 2 ? "separate" : "shared");
  if (topology === "shared") {
    return {
      topology,
      why:
        requested === "shared"
          ? "asked for (--topology shared): every process unpinned on the shared server, the backfill competing with the database and the workload for the same cores"
          : `the machine has ${cpus} CPU: nothing to separate, every process shares it`,
      databaseCpus: undefined,
      workloadCpus: undefined,
      backfillCpus: undefined,
    };
  }
  if (cpus < 2)
    throw new TopologyError(`--topology separate needs at least 2 CPUs; this machine has ${cpus}`);
  const backfillCpus = cpus === 2 ? "1" : `1-${cpus - 1}`;
  return {
    topology,
    why:
      `${requested === undefined ? "the default on a machine with 2 or more CPUs" : "asked for (--topology separate)"}: ` +
      `a private PostgreSQL server and the workload on CPU 0, the backfill on CPU ${backfillCpus}, as in production ` +
      "where the workers run on hosts of their own and the database's cores serve the application and the backfill's queries only",
    databaseCpus: "0",
    workloadCpus: "0",
    backfillCpus,
  };
}

/** The argv that runs `command` pinned to `cpus` (through taskset), or as is when `cpus` is undefined. */
export function pinned(
  cpus: string | undefined,
  command: string,
  args: readonly string[],
): [string, string[]] {
  return cpus === undefined ? [command, [...args]] : ["taskset", ["-c", cpus, command, ...args]];
}
