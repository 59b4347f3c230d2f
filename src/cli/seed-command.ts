import { Option, type Command } from "commander";
import { redactUrl } from "../config.js";
import { migrateToLatest } from "../db/migrate.js";
import { writeSeedRegistry } from "../db/write-seed-registry.js";
import { UsageError } from "../errors.js";
import {
  cleanRates,
  DEFECT_CLASSES,
  DEFECTS,
  MAX_TAGS,
  MIN_TAGS,
  SEED_EMAIL_DOMAIN,
  seedOptions,
  seedSummary,
  type DefectClass,
} from "../seed/index.js";
import { DEFAULT_HIDDEN_RATE, DEFAULT_TAG_MANIFEST_RATE } from "../seed/seed-options.js";
import { openRuntime } from "../runtime/command-runtime.js";
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
    and manifest side) and the backfill ledger (schema backfill), restarting their ids; --reset is
    refused, even with --force, when the database holds any row the seeder did not create.
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
    .option(
      "--reset",
      "empty the tables of an earlier seed (and its backfill) first; refused when the database holds other data",
    )
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
  command.addHelpText("after", HELP_AFTER).action(action(seedCommand));
}

/** Migrates when tables are missing, then writes the seeded registry in one transaction. */
async function seedCommand(flags: SeedFlags): Promise<number> {
  const rt = openRuntime();
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
  const db = rt.database({ max: 1, applicationName: "backfill-seed" });
  try {
    const { error } = await migrateToLatest(db);
    if (error) throw new Error("migrations failed before seeding", { cause: error });
    const bar = process.stderr.isTTY ? new ProgressBar(options.tags) : undefined;
    try {
      const totals = await writeSeedRegistry(db, options, {
        reset: flags.reset === true,
        force: flags.force === true,
        chunkTags: flags.chunkTags,
        where: redactUrl(rt.config.databaseUrl),
        onProgress: (done, seconds) => bar?.update(done, seconds),
        onFinishing: () => bar?.message("setting sequences and committing"),
      });
      bar?.done();
      process.stdout.write(`${seedSummary(totals)}\n`);
    } catch (err) {
      bar?.done();
      throw err;
    }
    return EXIT.ok;
  } finally {
    await rt.close();
  }
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
