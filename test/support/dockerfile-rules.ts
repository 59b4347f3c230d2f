import { DockerfileParser, type Dockerfile, type Instruction } from "dockerfile-ast";

/**
 * A hadolint-like rule set as data, for where hadolint itself is not installed: each rule names the
 * hadolint rule it follows (or "project" for this repository's own) and returns its findings as
 * `line N: text`. Every rule has a Dockerfile that breaks it in test/unit/deploy/dockerfile-lint.test.ts.
 */
export interface DockerfileRule {
  id: string;
  /** The hadolint rule(s) it follows, or "project" for one of this repository's own. */
  hadolint: string;
  says: string;
  check(file: ParsedDockerfile): string[];
}

/** The parsed file split into its stages (each FROM starts one), the last being the image. */
export interface ParsedDockerfile {
  dockerfile: Dockerfile;
  stages: { name: string | null; instructions: Instruction[] }[];
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const dockerfile = DockerfileParser.parse(text);
  const stages: ParsedDockerfile["stages"] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === "FROM") {
      const from = dockerfile
        .getFROMs()
        .find((f) => f.getRange().start.line === instruction.getRange().start.line);
      stages.push({ name: from?.getBuildStage() ?? null, instructions: [] });
    }
    stages.at(-1)?.instructions.push(instruction);
  }
  return { dockerfile, stages };
}

const at = (i: Instruction, text: string) => `line ${i.getRange().start.line + 1}: ${text}`;
const keyword = (k: string) => (i: Instruction) => i.getKeyword() === k;
const finalStage = (f: ParsedDockerfile) => f.stages.at(-1)?.instructions ?? [];
const args = (i: Instruction) => i.getArgumentsContent() ?? "";
/** The `--name=value` flags of an instruction (HEALTHCHECK, COPY). */
const flags = (i: Instruction): Map<string, string | null> =>
  new Map(
    ("getFlags" in i
      ? (i as Instruction & { getFlags(): { getName(): string; getValue(): string | null }[] }).getFlags()
      : []
    ).map((f) => [f.getName(), f.getValue()]),
  );
/** The RUN commands, one per `&&`/`;`-separated piece. */
const runCommands = (i: Instruction) =>
  args(i)
    .split(/&&|;|\|\|/)
    .map((c) => c.trim());

const REQUIRED_LABELS = ["title", "source", "version", "revision", "licenses"].map(
  (l) => `org.opencontainers.image.${l}`,
);

export const DOCKERFILE_RULES: readonly DockerfileRule[] = [
  {
    id: "base-tag-pinned",
    hadolint: "DL3006/DL3007",
    says: "every FROM of an image (not a stage) names a tag or digest, and not `latest`",
    check: (f) =>
      f.dockerfile.getFROMs().flatMap((from) => {
        const image = from.getImageName() ?? "";
        if (f.stages.some((s) => s.name === image)) return [];
        const tag = from.getImageTag();
        if (from.getImageDigest()) return [];
        if (!tag) return [at(from, `${image} has no tag`)];
        return tag === "latest" ? [at(from, `${image}:latest is not pinned`)] : [];
      }),
  },
  {
    id: "node-24-slim",
    hadolint: "project",
    says: "every stage starts from node:24-bookworm-slim (the supported Node, one base for build and run)",
    check: (f) =>
      f.dockerfile
        .getFROMs()
        .filter((from) => !f.stages.some((s) => s.name === from.getImageName()))
        .filter((from) => from.getImage() !== "node:24-bookworm-slim")
        .map((from) => at(from, `${from.getImage() ?? ""} is not node:24-bookworm-slim`)),
  },
  {
    id: "user-not-root",
    hadolint: "DL3002",
    says: "the image's stage sets USER, and the last USER is not root",
    check: (f) => {
      const users = finalStage(f).filter(keyword("USER"));
      const last = users.at(-1);
      if (!last) return ["the final stage has no USER: the container would run as root"];
      return /^(root|0)(:|$)/.test(args(last)) ? [at(last, "the last USER is root")] : [];
    },
  },
  {
    id: "apt-get-install",
    hadolint: "DL3008/DL3009/DL3015",
    says: "apt-get install with -y and --no-install-recommends, and the same RUN removes /var/lib/apt/lists",
    check: (f) =>
      f.dockerfile
        .getInstructions()
        .filter(keyword("RUN"))
        .flatMap((run) => {
          const installs = runCommands(run).filter((c) => /\bapt-get\s+(\S+\s+)*install\b/.test(c));
          if (installs.length === 0) return [];
          const found = installs.flatMap((c) => [
            ...(/--no-install-recommends/.test(c)
              ? []
              : [at(run, "apt-get install without --no-install-recommends")]),
            ...(/\s(-y|--yes|-qq?y)\b/.test(c) ? [] : [at(run, "apt-get install without -y")]),
          ]);
          return /rm -rf \/var\/lib\/apt\/lists/.test(args(run))
            ? found
            : [...found, at(run, "apt-get install without removing /var/lib/apt/lists in the same RUN")];
        }),
  },
  {
    id: "workdir-absolute",
    hadolint: "DL3000",
    says: "WORKDIR is an absolute path",
    check: (f) =>
      f.dockerfile
        .getInstructions()
        .filter(keyword("WORKDIR"))
        .filter((w) => !/^(\/|\$)/.test(args(w)))
        .map((w) => at(w, `WORKDIR ${args(w)} is relative`)),
  },
  {
    id: "json-exec-form",
    hadolint: "DL3025",
    says: "CMD, ENTRYPOINT and HEALTHCHECK CMD use the JSON (exec) form: signals reach node, no shell",
    check: (f) =>
      f.dockerfile
        .getInstructions()
        .filter((i) => ["CMD", "ENTRYPOINT", "HEALTHCHECK"].includes(i.getKeyword()))
        .filter((i) => !(i.getKeyword() === "HEALTHCHECK" && /^NONE$/i.test(args(i).trim())))
        .filter((i) => !/(^|\s)\[\s*"/.test(args(i).replace(/^.*?\bCMD\b/s, " ")))
        .map((i) => at(i, `${i.getKeyword()} is in shell form`)),
  },
  {
    id: "copy-not-add",
    hadolint: "DL3020",
    says: "COPY, not ADD, for files and folders",
    check: (f) =>
      f.dockerfile
        .getInstructions()
        .filter(keyword("ADD"))
        .map((i) => at(i, "ADD: use COPY")),
  },
  {
    id: "copy-from-stage",
    hadolint: "DL3022",
    says: "COPY --from names a stage defined above it",
    check: (f) =>
      f.dockerfile.getCOPYs().flatMap((c) => {
        const from = c.getFromFlag()?.getValue();
        if (!from) return [];
        return f.stages.some((s) => s.name === from)
          ? []
          : [at(c, `COPY --from=${from} is no stage of this file`)];
      }),
  },
  {
    id: "no-cd-sudo",
    hadolint: "DL3003/DL3004",
    says: "no `cd` (use WORKDIR) and no `sudo` in RUN",
    check: (f) =>
      f.dockerfile
        .getInstructions()
        .filter(keyword("RUN"))
        .flatMap((run) =>
          runCommands(run)
            .filter((c) => /^(cd|sudo)\b/.test(c))
            .map((c) => at(run, `RUN ${c.split(/\s/)[0] ?? ""}`)),
        ),
  },
  {
    id: "pipefail",
    hadolint: "DL4006",
    says: "a RUN with a pipe runs under SHELL with -o pipefail",
    check: (f) => {
      const pipefail = f.dockerfile
        .getInstructions()
        .some((i) => keyword("SHELL")(i) && /pipefail/.test(args(i)));
      return pipefail
        ? []
        : f.dockerfile
            .getInstructions()
            .filter((i) => keyword("RUN")(i) && /[^|]\|[^|]/.test(args(i)))
            .map((i) => at(i, "a pipe without pipefail"));
    },
  },
  {
    id: "no-maintainer",
    hadolint: "DL4000",
    says: "no MAINTAINER (deprecated; a label says it)",
    check: (f) =>
      f.dockerfile
        .getInstructions()
        .filter(keyword("MAINTAINER"))
        .map((i) => at(i, "MAINTAINER")),
  },
  {
    id: "npm-ci-omit-dev",
    hadolint: "project",
    says: "dependencies come from the lock (`npm ci`, never `npm install`); the image's stage omits dev ones",
    check: (f) => {
      const runs = f.dockerfile.getInstructions().filter(keyword("RUN"));
      const installs = runs
        .filter((r) => /\bnpm\s+(install|i)\b/.test(args(r)))
        .map((r) => at(r, "npm install"));
      const finalCi = finalStage(f).some((i) => keyword("RUN")(i) && /\bnpm ci\b.*--omit=dev/.test(args(i)));
      return finalCi ? installs : [...installs, "the final stage has no `npm ci --omit=dev`"];
    },
  },
  {
    id: "healthcheck",
    hadolint: "project",
    says: "the image has a HEALTHCHECK running `backfill health`, with --interval, --timeout and --start-period",
    check: (f) => {
      const checks = finalStage(f).filter(keyword("HEALTHCHECK"));
      const last = checks.at(-1);
      if (!last) return ["the final stage has no HEALTHCHECK"];
      const missing = ["interval", "timeout", "start-period"].filter((n) => !flags(last).get(n));
      return [
        ...missing.map((n) => at(last, `HEALTHCHECK without --${n}`)),
        ...(/"health"\s*\]\s*$/.test(args(last)) ? [] : [at(last, "HEALTHCHECK does not run `health`")]),
      ];
    },
  },
  {
    id: "oci-labels",
    hadolint: "DL3048-like",
    says: "the image carries the OCI labels title, source, version, revision, licenses; version and revision from build ARGs",
    check: (f) => {
      const stage = finalStage(f);
      const labels = new Map(
        stage
          .filter(keyword("LABEL"))
          .flatMap((l) =>
            (
              l as Instruction & { getProperties(): { getName(): string; getValue(): string | null }[] }
            ).getProperties(),
          )
          .map((p) => [p.getName(), p.getValue() ?? ""]),
      );
      const declared = new Set(stage.filter(keyword("ARG")).map((a) => args(a).split("=")[0]?.trim()));
      const fromArg = (name: string) => {
        const value = labels.get(`org.opencontainers.image.${name}`) ?? "";
        const variable = /\$\{?(\w+)/.exec(value)?.[1];
        return variable !== undefined && declared.has(variable);
      };
      return [
        ...REQUIRED_LABELS.filter((l) => !labels.has(l)).map((l) => `no label ${l}`),
        ...["version", "revision"]
          .filter((n) => !fromArg(n))
          .map((n) => `label ${n} does not come from a build ARG`),
      ];
    },
  },
  {
    id: "memory-settings",
    hadolint: "project",
    says: "the image sets the heap cap (NODE_OPTIONS --max-old-space-size) and MALLOC_ARENA_MAX the bench measured",
    check: (f) => {
      const env = finalStage(f).filter(keyword("ENV")).map(args).join("\n");
      return [
        ...(/NODE_OPTIONS=.*--max-old-space-size=\d+/.test(env)
          ? []
          : ["no NODE_OPTIONS --max-old-space-size"]),
        ...(/MALLOC_ARENA_MAX=\d+/.test(env) ? [] : ["no MALLOC_ARENA_MAX"]),
      ];
    },
  },
];

/** Every finding of every rule, as `rule-id: finding`. */
export function lintDockerfile(text: string, rules: readonly DockerfileRule[] = DOCKERFILE_RULES): string[] {
  const parsed = parseDockerfile(text);
  return rules.flatMap((r) => r.check(parsed).map((finding) => `${r.id}: ${finding}`));
}
