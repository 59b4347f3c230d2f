import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { DOCKERFILE_RULES, lintDockerfile } from "../../support/dockerfile-rules.js";
import { REPO_ROOT } from "../../support/repo-root.js";

/** A Dockerfile that passes every rule; each case below breaks it in one place. */
const GOOD = `FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json ./
RUN npm ci
FROM node:24-bookworm-slim
ARG VERSION=0
ARG REVISION=unknown
ARG SOURCE_URL=""
LABEL org.opencontainers.image.title="t" org.opencontainers.image.licenses="Apache-2.0" \\
      org.opencontainers.image.source="\${SOURCE_URL}" org.opencontainers.image.version="\${VERSION}" \\
      org.opencontainers.image.revision="\${REVISION}"
WORKDIR /app
ENV NODE_OPTIONS="--max-old-space-size=128"
ENV MALLOC_ARENA_MAX=2
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
RUN npm ci --omit=dev
COPY --from=build /app/dist ./dist
USER node
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s CMD ["node", "dist/src/cli/main.js", "health"]
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["--help"]
`;

/** [rule id, the line of GOOD replaced (or "+" to append), its replacement]. */
const BREAKS: [string, string, string][] = [
  ["base-tag-pinned", "FROM node:24-bookworm-slim AS build", "FROM node AS build"],
  ["base-tag-pinned", "FROM node:24-bookworm-slim\n", "FROM node:latest\n"],
  ["node-24-slim", "FROM node:24-bookworm-slim AS build", "FROM node:20-bookworm-slim AS build"],
  ["user-not-root", "USER node", "USER node\nUSER root"],
  ["user-not-root", "USER node\n", ""],
  ["apt-get-install", "install -y --no-install-recommends tini", "install -y tini"],
  ["apt-get-install", " && rm -rf /var/lib/apt/lists/*", ""],
  ["apt-get-install", "install -y --no-install-recommends", "install --no-install-recommends"],
  ["workdir-absolute", "WORKDIR /app\nENV", "WORKDIR app\nENV"],
  ["json-exec-form", 'CMD ["--help"]', "CMD --help"],
  ["json-exec-form", 'ENTRYPOINT ["node", "dist/src/cli/main.js"]', "ENTRYPOINT node dist/src/cli/main.js"],
  [
    "json-exec-form",
    'CMD ["node", "dist/src/cli/main.js", "health"]',
    "CMD node dist/src/cli/main.js health",
  ],
  ["copy-not-add", "COPY package.json ./", "ADD package.json ./"],
  ["copy-from-stage", "--from=build", "--from=builder"],
  ["no-cd-sudo", "RUN npm ci\n", "RUN cd /app && npm ci\n"],
  ["pipefail", "RUN npm ci\n", "RUN npm ci | tee log\n"],
  ["no-maintainer", "WORKDIR /app\nENV", "MAINTAINER me\nWORKDIR /app\nENV"],
  ["npm-ci-omit-dev", "RUN npm ci --omit=dev", "RUN npm install --omit=dev"],
  ["npm-ci-omit-dev", "RUN npm ci --omit=dev", "RUN npm ci"],
  ["healthcheck", "--start-period=60s ", ""],
  ["healthcheck", '"health"]', '"status"]'],
  ["healthcheck", /HEALTHCHECK.*\n/.exec(GOOD)?.[0] ?? "", ""],
  ["oci-labels", 'org.opencontainers.image.licenses="Apache-2.0" ', ""],
  ["oci-labels", 'image.revision="${REVISION}"', 'image.revision="abc"'],
  ["oci-labels", "ARG VERSION=0\n", ""],
  ["memory-settings", 'ENV NODE_OPTIONS="--max-old-space-size=128"\n', ""],
  ["memory-settings", "ENV MALLOC_ARENA_MAX=2\n", ""],
];

describe("the Dockerfile against hadolint-like rules (hadolint itself is not installed here)", () => {
  test("the repository's Dockerfile breaks no rule", () => {
    const text = readFileSync(path.join(REPO_ROOT, "Dockerfile"), "utf8");
    assert.deepEqual(lintDockerfile(text), []);
  });

  test("every file the repository's Dockerfile copies from the build context exists", () => {
    // A COPY of a missing path only fails in `docker build`, which CI cannot run without an engine.
    const text = readFileSync(path.join(REPO_ROOT, "Dockerfile"), "utf8");
    const sources = [...text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] ?? "").split(" "));
    assert.ok(sources.length >= 4, `only ${sources.length} COPY sources found`);
    const missing = sources.filter((s) => !existsSync(path.join(REPO_ROOT, s)));
    assert.deepEqual(missing, []);
  });

  test("the reference Dockerfile of the cases breaks no rule", () => {
    assert.deepEqual(lintDockerfile(GOOD), []);
  });

  for (const [rule, from, to] of BREAKS) {
    test(`${rule} catches ${JSON.stringify(from.trim().slice(0, 40))} → ${JSON.stringify(to.trim().slice(0, 40))}`, () => {
      assert.ok(GOOD.includes(from), `the case's text is in the reference file: ${from}`);
      const findings = lintDockerfile(GOOD.replace(from, to));
      // Others may fire too (an unpinned tag is also not Node 24); this one must.
      assert.ok(
        findings.some((f) => f.startsWith(`${rule}: `)),
        findings.join("\n") || "nothing fired",
      );
    });
  }

  test("every rule has a case that breaks it", () => {
    const broken = new Set(BREAKS.map(([rule]) => rule));
    assert.deepEqual(
      DOCKERFILE_RULES.map((r) => r.id).filter((id) => !broken.has(id)),
      [],
    );
  });
});
