import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { MalformedManifestError, SigningKeyError } from "../manifest/errors.js";
import { DEFAULT_MAX_MANIFEST_BYTES } from "../manifest/generate-schema1.js";
import { loadSigner } from "../manifest/signer.js";
import type { Signer } from "../manifest/signer.js";
import { action, EXIT, intOption } from "./command-runner.js";
import { runManifestBuild } from "./manifest-build.js";
import { formatInspectReport, inspectManifest } from "./manifest-inspect.js";

interface BuildFlags {
  stripMetadata?: boolean;
  rewriteIds?: boolean;
  key?: string;
  time?: string;
  maxSize: number;
  libraryNamespace: string;
}

/** `backfill manifest build|inspect`: offline schema1 tools over stdin and files; no database. */
export function registerManifestCommand(program: Command): void {
  const manifest = program.command("manifest").description("offline schema1 tools: build, inspect");

  manifest
    .command("build")
    .description(
      'Read NDJSON build specs on stdin ({namespace, repository, tag, layers: [{digest, v1Compatibility}] leaf first, imagesMap?}) and write one JSON line per input line: the manifest, or {"error": {code, message}}. Errors are in-band: the exit status is 0 once the input is read.',
    )
    .option("--strip-metadata", "always strip layer metadata (Quay does it only over the size limit)")
    .option(
      "--rewrite-ids",
      "rewrite invalid v1 ids first (docs/domain-rules.md), using each line's imagesMap",
    )
    .option(
      "--key <file>",
      "sign with this private key (PEM or JWK; RSA ≥ 2048 bits or EC P-256); unsigned without",
    )
    .option("--time <iso>", "fixed signing time, so reruns give identical bytes")
    .option(
      "--max-size <n>",
      "manifest size limit in bytes",
      intOption("--max-size", 1),
      DEFAULT_MAX_MANIFEST_BYTES,
    )
    .option("--library-namespace <name>", "namespace whose manifests are named by the repository alone", "")
    .action(
      action(async (flags: BuildFlags) => {
        const signer = flags.key === undefined ? undefined : readSigner(flags.key);
        const time = flags.time === undefined ? undefined : parseTime(flags.time);
        const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
        await runManifestBuild(lines, writeStdout, {
          stripMetadata: flags.stripMetadata === true,
          rewriteIds: flags.rewriteIds === true,
          maxBytes: flags.maxSize,
          libraryNamespace: flags.libraryNamespace,
          ...(signer ? { signer } : {}),
          ...(time ? { time } : {}),
        });
        return EXIT.ok;
      }),
    );

  manifest
    .command("inspect")
    .description(
      "Show what skopeo inspect shows, plus the signature verdict and pull-check problems; exit 1 if malformed",
    )
    .argument("<file>", "manifest file, or - for stdin")
    .option("--json", "print JSON")
    .action(
      action(async (file: string, flags: { json?: boolean }) => {
        const bytes = file === "-" ? readFileSync(0) : readManifestFile(file);
        try {
          const report = await inspectManifest(bytes);
          process.stdout.write(flags.json ? JSON.stringify(report) + "\n" : formatInspectReport(report));
          return EXIT.ok;
        } catch (err) {
          if (!(err instanceof MalformedManifestError)) throw err;
          const error = { code: err.code, field: err.field, message: err.message };
          if (flags.json) process.stdout.write(JSON.stringify({ error }) + "\n");
          else
            process.stderr.write(
              `backfill: malformed manifest (${err.code} at '${err.field}'): ${err.message}\n`,
            );
          return EXIT.failed;
        }
      }),
    );
}

function readManifestFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    throw new UsageError(`cannot read manifest file '${file}'`);
  }
}

function readSigner(file: string): Signer {
  let contents: string;
  try {
    contents = readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`--key: cannot read '${file}'`);
  }
  try {
    return loadSigner(contents);
  } catch (err) {
    // SigningKeyError messages never quote the key; anything else is replaced rather than trusted.
    throw new UsageError(`--key ${file}: ${err instanceof SigningKeyError ? err.message : "unusable key"}`);
  }
}

function parseTime(text: string): Date {
  const time = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(time.getTime())) {
    throw new UsageError(`--time expects an ISO 8601 time such as 2020-01-02T03:04:05Z, got '${text}'`);
  }
  return time;
}

/** Writes a line to stdout, waiting for the pipe to drain so a slow reader bounds our memory. */
function writeStdout(line: string): Promise<void> | void {
  if (process.stdout.write(line)) return;
  return new Promise((resolve) => process.stdout.once("drain", () => resolve()));
}
