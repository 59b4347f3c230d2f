import type { Command } from "commander";
import type { MigrationInfo } from "kysely";
import { migrateToLatest, migrationStatus } from "../db/migrate.js";
import { openRuntime } from "../runtime/command-runtime.js";
import { action, EXIT } from "./command-runner.js";

/** One wording for both `migrate` and `migrate --status`: `<name>\tapplied <time>` or `<name>\tpending`. */
function migrationLine(m: MigrationInfo): string {
  return `${m.name}\t${m.executedAt ? `applied ${m.executedAt.toISOString()}` : "pending"}`;
}

function closingLine(pending: number): string {
  return pending === 0
    ? "the database is up to date"
    : `${pending} migration(s) pending: \`backfill migrate\` applies them`;
}

export function registerMigrateCommand(program: Command): void {
  program
    .command("migrate")
    .description(
      "Create Quay's tables where they are absent (existing ones are left untouched), the mediatype and tagkind rows, and the backfill ledger (schema `backfill`)",
    )
    .option("--status", "list applied and pending migrations; change nothing")
    .action(
      action(async (opts: { status?: boolean }) => {
        const rt = openRuntime();
        const db = rt.database({ max: 1 });
        try {
          if (opts.status) {
            const all = await migrationStatus(db);
            for (const m of all) process.stdout.write(`${migrationLine(m)}\n`);
            process.stdout.write(`${closingLine(all.filter((m) => !m.executedAt).length)}\n`);
            return EXIT.ok;
          }
          const { error, results } = await migrateToLatest(db);
          if (error && error instanceof Error && (results === undefined || results.length === 0)) {
            // Kysely's migrator returns its error: server down, login refused, … say what to fix.
            throw error;
          }
          // The ones this process applied, worded as `--status` words them.
          const ours = new Set(
            (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName),
          );
          const all = error ? [] : await migrationStatus(db);
          for (const m of all.filter((x) => ours.has(x.name))) process.stdout.write(`${migrationLine(m)}\n`);
          if (error) {
            for (const r of results ?? []) {
              process.stdout.write(
                `${r.migrationName}\t${r.status === "Success" ? "applied" : r.status === "Error" ? "failed" : "pending"}\n`,
              );
            }
            process.stderr.write(
              `backfill: migration failed: ${error instanceof Error ? error.message : JSON.stringify(error)}\n`,
            );
            return EXIT.failed;
          }
          process.stdout.write(`${closingLine(all.filter((m) => !m.executedAt).length)}\n`);
          return EXIT.ok;
        } finally {
          await rt.close();
        }
      }),
    );
}
