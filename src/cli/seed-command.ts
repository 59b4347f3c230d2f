import { Option, type Command } from "commander";
import type { Kysely } from "kysely";
import { loadConfig, redactUrl } from "../config.js";
import { connect } from "../db/connect.js";
import { migrateToLatest } from "../db/migrate.js";
import { resolveSeedEnums, syncSeedSequences, writeSeedChunk } from "../db/seed-writer.js";
import type { Database } from "../db/tables.js";
import {
  currentMaxIds,
  existingUsernames,
  inspectSeedTarget,
  resetSeedTables,
} from "../db/write-seed-target.js";
import { UsageError } from "../errors.js";
import { generateSeed } from "../seed/generate-seed.js";
import { planDataset, SEED_EMAIL_DOMAIN } from "../seed/plan-dataset.js";
import { addChunk, emptyTotals, seedSummary, type SeedTotals } from "../seed/seed-summary.js";
import type { SeedChunk } from "../seed/seed-rows.js";
import {
  cleanRates,
  DEFAULT_HIDDEN_RATE,
  DEFAULT_TAG_MANIFEST_RATE,
  DEFECT_CLASSES,
  DEFECTS,
  MAX_TAGS,
  MIN_TAGS,
  seedOptions,
  type DefectClass,
  type SeedOptions,
} from "../seed/seed-options.js";
import { action, EXIT, intOption } from "./command-runner.js";

interface SeedFlags {
  tags: number;
  seed: string;
  clean?: boolean;
  reset?: boolean;
  force?: boolean;
  chunkTags: number;
  tagmanifestRate?: number;
  hiddenRate?: number;
  [rate: `rate${string}`]: number | undefined;
}

function fraction(flag: string) {
  return (raw: string): number => {
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new UsageError(`${flag} expects a fraction from 0 to 1 (e.g. 0.005 for 0.5%), got '${raw}'`);
    }
    return value;
  };
}

/** `--rate-missing-parent` -> commander's attribute name `rateMissingParent`. */
function rateKey(defect: DefectClass): `rate${string}` {
  return `rate${defect.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase())}`;
}

const HELP_AFTER = `
Defects: each visible tag gets at most one, drawn at the rates above, on image rows of its own, so
exactly that tag is affected. \`planSeedTags(options)\` in src/seed recomputes which tag got which.

Seeded rows are marked: every seeded user's e-mail ends in @${SEED_EMAIL_DOMAIN}. The seed refuses
  - a database holding rows it did not create, unless --force (rows are then added after the highest
    existing ids; a clash with an existing username stops it);
  - a database holding an earlier seed, unless --reset, which first empties Quay's data tables (legacy
    and manifest side) and the backfill ledger (schema backfill), restarting their ids; --reset over
    rows the seeder did not create also needs --force.
Everything is written in one transaction: a failed seed leaves the database as it was. Migrations
run first when tables are missing. Same --seed and flags on an empty database: the same rows, ids
included.`;

export function registerSeedCommand(program: Command): void {
  const command = program
    .command("seed")
    .description(
      "write a deterministic synthetic legacy registry (users, repositories, images, tags, defects)",
    )
    .option(
      "--tags <n>",
      `repositorytag rows to write, ${MIN_TAGS} to ${MAX_TAGS.toLocaleString("en-US")}`,
      intOption("--tags", MIN_TAGS, MAX_TAGS),
      10_000,
    )
    .option("--seed <text>", "the seed: same seed and flags, same rows", "1")
    .option("--clean", "no defects: every --rate-* defaults to 0 (an explicit --rate-* still applies)")
    .option(
      "--tagmanifest-rate <fraction>",
      `clean visible tags that already have a tagmanifest row (60% signed, 25% unsigned, 15% corrupt) (default: ${DEFAULT_TAG_MANIFEST_RATE})`,
      fraction("--tagmanifest-rate"),
    )
    .option(
      "--hidden-rate <fraction>",
      `tags that are hidden temporary push tags (default: ${DEFAULT_HIDDEN_RATE})`,
      fraction("--hidden-rate"),
    )
    .option("--reset", "empty the tables of an earlier seed (and its backfill) first")
    .option("--force", "seed a database that holds rows the seeder did not create")
    .addOption(
      new Option("--chunk-tags <n>", "tags generated and written per round trip")
        .argParser(intOption("--chunk-tags", 100, 100_000))
        .default(2000),
    );
  for (const defect of DEFECT_CLASSES) {
    command.option(
      `--rate-${defect} <fraction>`,
      `${DEFECTS[defect].help} (default: ${DEFECTS[defect].rate})`,
      fraction(`--rate-${defect}`),
    );
  }
  command.addHelpText("after", HELP_AFTER).action(
    action(async (flags: SeedFlags) => {
      const config = loadConfig();
      const rates = flags.clean ? cleanRates() : {};
      for (const defect of DEFECT_CLASSES) {
        const value = flags[rateKey(defect)];
        if (value !== undefined) (rates as Record<string, number>)[defect] = value;
      }
      const options = seedOptions({
        tags: flags.tags,
        seed: flags.seed,
        rates,
        tagManifestRate: flags.tagmanifestRate,
        hiddenRate: flags.hiddenRate,
      });
      const db = connect(config.databaseUrl, { max: 1, applicationName: "backfill-seed" });
      try {
        const { error } = await migrateToLatest(db);
        if (error) throw new Error("migrations failed before seeding", { cause: error });
        const target = await prepareTarget(db, options, flags, redactUrl(config.databaseUrl));
        const totals = await seed(db, target.options, flags.chunkTags, target.reset);
        process.stdout.write(`${seedSummary(totals)}\n`);
        return EXIT.ok;
      } finally {
        await db.destroy();
      }
    }),
  );
}

async function prepareTarget(
  db: Kysely<Database>,
  options: SeedOptions,
  flags: SeedFlags,
  where: string,
): Promise<{ options: SeedOptions; reset: boolean }> {
  const state = await inspectSeedTarget(db, SEED_EMAIL_DOMAIN);
  const foreign = state.foreignUsers + state.foreignRepositories > 0;
  if (foreign && !flags.force) {
    throw new UsageError(
      `${where} holds data the seeder did not create (${state.foreignUsers} users, ${state.foreignRepositories} repositories): seed an empty database, or pass --force to add synthetic rows next to it`,
    );
  }
  if (state.seededUsers > 0 && !flags.reset) {
    throw new UsageError(
      `${where} already holds a synthetic registry (${state.seededUsers} seeded namespaces, ${state.repositoryTags} tags): pass --reset to replace it`,
    );
  }
  if (flags.reset) return { options, reset: true };
  if (!foreign) return { options, reset: false };
  const forced = seedOptions({ ...options, idOffsets: await currentMaxIds(db) });
  const clash = await existingUsernames(
    db,
    planDataset(forced).users.map((u) => u.username),
  );
  if (clash.length > 0) {
    throw new UsageError(
      `--force: namespaces the seed creates already exist (${clash.slice(0, 5).join(", ")}${clash.length > 5 ? ", …" : ""}); use an empty database`,
    );
  }
  return { options: forced, reset: false };
}

async function seed(
  db: Kysely<Database>,
  options: SeedOptions,
  chunkTags: number,
  reset: boolean,
): Promise<SeedTotals> {
  const started = performance.now();
  const totals = emptyTotals();
  const bar = process.stderr.isTTY ? new ProgressBar(options.tags) : undefined;
  const written = (chunk: SeedChunk) => {
    addChunk(totals, chunk);
    bar?.update(totals.rows.repositorytag ?? 0, (performance.now() - started) / 1000);
  };
  try {
    await db.transaction().execute(async (trx) => {
      if (reset) await resetSeedTables(trx);
      const enums = await resolveSeedEnums(trx);
      let pending: Promise<void> | undefined;
      for await (const chunk of generateSeed(options, { chunkTags })) {
        // One chunk in flight: PostgreSQL writes it while the next one is generated.
        await pending;
        pending = writeSeedChunk(trx, chunk, enums).then(() => written(chunk));
        // Awaited before the next chunk; this keeps a failure meanwhile from being an unhandled rejection.
        pending.catch(() => undefined);
      }
      await pending;
      bar?.message("setting sequences and committing");
      await syncSeedSequences(trx);
    });
  } finally {
    bar?.done();
  }
  totals.seconds = (performance.now() - started) / 1000;
  return totals;
}

/** A one-line bar on stderr, redrawn at most every 100 ms; only on a TTY. */
class ProgressBar {
  private last = 0;

  constructor(private readonly total: number) {}

  update(done: number, seconds: number): void {
    const now = performance.now();
    if (now - this.last < 100 && done < this.total) return;
    this.last = now;
    const width = 30;
    const filled = Math.round((done / this.total) * width);
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    this.draw(
      `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done.toLocaleString("en-US")}/${this.total.toLocaleString("en-US")} tags, ${rate.toLocaleString("en-US")}/s, ${seconds.toFixed(1)}s`,
    );
  }

  message(text: string): void {
    this.draw(text);
  }

  done(): void {
    process.stderr.write("\r\x1b[2K");
  }

  private draw(line: string): void {
    process.stderr.write(`\r\x1b[2K${line}`);
  }
}
