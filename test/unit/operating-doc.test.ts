import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { Command } from "commander";
import { describeConfig } from "../../src/config.js";
import { REPO_ROOT } from "../support/repo-root.js";

const doc = readFileSync(path.join(REPO_ROOT, "docs", "operating.md"), "utf8");

/** Quay's own config.yaml keys the guide names; they are Quay's settings, not this project's. */
const QUAY_SETTINGS = new Set(["BACKFILL_TAGS"]);

/**
 * The CLI as main.ts builds it: every `registerXxx(program)` call of main.ts, with the function imported from
 * the module main.ts imports it from (main.ts itself parses argv on import, so it is read, not imported).
 */
async function cliProgram(): Promise<Command> {
  const main = readFileSync(path.join(REPO_ROOT, "src", "cli", "main.ts"), "utf8");
  const modules = new Map(
    [...main.matchAll(/^import \{ (register\w+) \} from "\.\/([\w-]+)\.js";$/gm)].map((m) => [m[1], m[2]]),
  );
  const program = new Command("backfill").option("-V, --version").option("--log-file <path>");
  const calls = [...main.matchAll(/^(register\w+)\(program\);$/gm)].map((m) => m[1] ?? "");
  assert.ok(calls.length >= 10, `only ${calls.length} register calls found in main.ts`);
  for (const name of calls) {
    const file = modules.get(name);
    assert.ok(file, `no import of ${name} in main.ts`);
    const mod = (await import(
      pathToFileURL(path.join(REPO_ROOT, "src", "cli", `${file}.ts`)).href
    )) as Record<string, (p: Command) => void>;
    const register = mod[name];
    assert.ok(register, `${file}.ts exports no ${name}`);
    register(program);
  }
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
  return named.filter((name) => !variables.has(name) && !QUAY_SETTINGS.has(name));
}

test("every `backfill <command>` and flag docs/operating.md names is one the CLI has", async () => {
  const program = await cliProgram();
  assert.ok(commandUses(doc).length >= 15, `only ${commandUses(doc).length} commands found in the guide`);
  assert.deepEqual(commandProblems(doc, program), []);
});

test("every BACKFILL_* variable docs/operating.md names is one the config reads", () => {
  assert.ok((doc.match(/\bBACKFILL_[A-Z0-9_]+\b/g) ?? []).length >= 5, "the guide names too few variables");
  assert.deepEqual(unknownVariables(doc), []);
});

test("the checks reject what does not exist (they are not vacuous)", async () => {
  const program = await cliProgram();
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
