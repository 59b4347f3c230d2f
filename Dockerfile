# The backfill CLI, compiled: tsx and its on-the-fly compilation cost ~65 MB of resident memory and two
# seconds at every start, so the image runs the JavaScript that `npm run build` emits into dist/.
# Linted by test/unit/deploy/dockerfile-lint.test.ts (hadolint-like rules, README "Deploying").
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY jobs ./jobs
COPY migrations ./migrations
RUN npm run build

FROM node:24-bookworm-slim
# Set by the build (.ci/run passes them): the package version, the git commit, the repository's URL.
ARG VERSION=0.0.0-unknown
ARG REVISION=unknown
ARG SOURCE_URL=""
LABEL org.opencontainers.image.title="quay-legacy-backfill" \
      org.opencontainers.image.description="Backfill worker that moves Quay v1-era tag and image rows into the manifest model" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
WORKDIR /app
# The deployment's heap and allocator: V8 otherwise lets garbage grow to ~4x the live heap before
# collecting it (peak RSS ~450-580 MB at the default batch 500 x concurrency 2, whose live heap stays
# under ~80 MB; ~235-290 MB with these), and glibc keeps a malloc arena per thread. `run`, `worker` and
# `reprocess` refuse to start with a heap too small for their batch size x concurrency and say which
# value to set. The semi-space is Node 20's default: Node 24's 64 MB let the young generation alone reach
# 192 MB (peak RSS 312-337 MB, 2.3x the CPU per tag in garbage collection). `npm run bench` reads these
# lines, so it measures what is deployed.
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=16"
ENV MALLOC_ARENA_MAX=2
# `worker` rewrites this file at each heartbeat (10 s) while its queue consumers run and PostgreSQL and
# Redis answer; `backfill health` fails once it is older than three heartbeats.
ENV BACKFILL_HEARTBEAT_FILE=/tmp/backfill-heartbeat.json
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
# Meaningful for `worker` containers only: one-shot commands (migrate, schedule) write no heartbeat, so
# compose and Kubernetes turn it off for them. start-period covers connecting and the first heartbeat.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "dist/src/cli/main.js", "health"]
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["--help"]
