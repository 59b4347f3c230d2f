import type { Command } from "commander";
import { loadConfig } from "../config.js";
import { connect } from "../db/connect.js";
import { migrateToLatest, migrationStatus } from "../db/migrate.js";
import { action, EXIT } from "./command-runner.js";

export function registerMigrateCommand(program: Command): void {
  program
    .command("migrate")
    .description(
      "Create Quay's tables where they are absent (existing ones are left untouched), the mediatype and tagkind rows, and the backfill ledger (schema `backfill`)",
    )
    .option("--status", "list applied and pending migrations; change nothing")
    .action(
      action(async (opts: { status?: boolean }) => {
        const config = loadConfig();
        const db = connect(config.databaseUrl, { max: 1 });
        try {
          if (opts.status) {
            for (const m of await migrationStatus(db)) {
              const state = m.executedAt ? `applied ${m.executedAt.toISOString()}` : "pending";
              process.stdout.write(`${m.name}\t${state}\n`);
            }
            return EXIT.ok;
          }
          const { error, results } = await migrateToLatest(db);
          for (const r of results ?? []) process.stdout.write(`${r.migrationName}\t${r.status}\n`);
          if (error) {
            // Kysely's migrator returns its error: server down, login refused, … say what to fix.
            if (error instanceof Error && (results === undefined || results.length === 0)) throw error;
            process.stderr.write(
              `backfill: migration failed: ${error instanceof Error ? error.message : JSON.stringify(error)}\n`,
            );
            return EXIT.failed;
          }
          if (!results?.length) process.stdout.write("nothing to migrate: the database is up to date\n");
          return EXIT.ok;
        } finally {
          await db.destroy();
        }
      }),
    );
}
