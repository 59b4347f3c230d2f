import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { Command } from "commander";
import { registerCommands } from "../../src/cli/register-commands.js";
import { describeConfig } from "../../src/config.js";
import { REPO_ROOT } from "../support/repo-root.js";

const doc = readFileSync(path.join(REPO_ROOT, "docs", "operating.md"), "utf8");

/** Quay's own config.yaml keys the guide names; they are Quay's settings, not this project's. */
const QUAY_SETTINGS = new Set(["BACKFILL_TAGS"]);

/** The compose file's own variables (`${NAME:-default}`), which compose reads from `.env`. */
const COMPOSE_VARIABLES = new Set(
  [...readFileSync(path.join(REPO_ROOT, "docker-compose.yml"), "utf8").matchAll(/\$\{(\w+)/g)].map(
    (m) => m[1],
  ),
);

/** The CLI as main.ts builds it (register-commands.ts holds every command; main.ts parses argv on import). */
function cliProgram(): Command {
  const program = new Command("backfill").option("-V, --version").option("--log-file <path>");
  registerCommands(program);
  return program;
}

/** Each `backfill <command> …` the guide shows (inline code or an indented line), with its words. */
function commandUses(text: string): { line: string; words: string[] }[] {
  const spans = [...text.matchAll(/`(backfill [^`]+)`/g)].map((m) => m[1] ?? "");
  const indented = [...text.matchAll(/^ {4}(backfill\b.*)$/gm)].map((m) => m[1] ?? "");
  return [...spans, ...indented]
    .filter((line) => !line.startsWith("backfill:")) // a message the CLI prints, not a command
    .map((line) => ({ line, words: line.split(/\s+/).slice(1) }));
}

function optionsOf(command: Command): Set<string> {
  return new Set(
    command.options
      .flatMap((o) => [o.long, o.short, o.negate ? o.long : undefined])
      .filter((f) => f !== undefined),
  );
}

/** What of `text`'s commands and flags the CLI does not have, one line each. */
function commandProblems(text: string, program: Command): string[] {
  const globals = optionsOf(program);
  const problems: string[] = [];
  for (const { line, words } of commandUses(text)) {
    let command = program.commands.find((c) => c.name() === words[0]);
    if (!command) {
      problems.push(`${line}: no command ${words[0] ?? "(none)"}`);
      continue;
    }
    const sub = command.commands.find((c) => c.name() === words[1]);
    if (sub) command = sub;
    const known = new Set([...optionsOf(command), ...globals, "--help"]);
    for (const flag of words.filter((w) => w.startsWith("-")).map((w) => w.split("=")[0] ?? w)) {
      if (!known.has(flag)) problems.push(`${line}: ${command.name()} has no option ${flag}`);
    }
  }
  return problems;
}

/** The BACKFILL_* names of `text` the config does not read (Quay's own settings aside). */
function unknownVariables(text: string): string[] {
  const variables = new Set(describeConfig().map((v) => v.variable));
  const named = [...new Set([...text.matchAll(/\bBACKFILL_[A-Z0-9_]+\b/g)].map((m) => m[0]))];
  return named.filter(
    (name) => !variables.has(name) && !QUAY_SETTINGS.has(name) && !COMPOSE_VARIABLES.has(name),
  );
}

test("every `backfill <command>` and flag docs/operating.md names is one the CLI has", () => {
  const program = cliProgram();
  assert.ok(commandUses(doc).length >= 15, `only ${commandUses(doc).length} commands found in the guide`);
  assert.deepEqual(commandProblems(doc, program), []);
});

test("every BACKFILL_* variable docs/operating.md names is one the config reads", () => {
  assert.ok((doc.match(/\bBACKFILL_[A-Z0-9_]+\b/g) ?? []).length >= 5, "the guide names too few variables");
  assert.deepEqual(unknownVariables(doc), []);
});

test("the checks reject what does not exist (they are not vacuous)", () => {
  const program = cliProgram();
  const text =
    "`backfill rewind --all`, `backfill run --turbo`, `backfill manifest inspect --json`\n\n    backfill status --watch 5\n";
  assert.deepEqual(commandProblems(text, program), [
    "backfill rewind --all: no command rewind",
    "backfill run --turbo: run has no option --turbo",
  ]);
  assert.deepEqual(unknownVariables("BACKFILL_TURBO=1, BACKFILL_BATCH_SIZE, BACKFILL_TAGS"), [
    "BACKFILL_TURBO",
  ]);
});
