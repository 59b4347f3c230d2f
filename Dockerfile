# The backfill CLI, compiled: tsx and its on-the-fly compilation cost ~65 MB of resident memory and two
# seconds at every start, so the image runs the JavaScript that `npm run build` emits into dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The lock installs msgpackr-extract from this local stub (see README, "Dependencies").
COPY stubs ./stubs
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY jobs ./jobs
COPY migrations ./migrations
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
# The deployment's heap and allocator: V8 otherwise lets garbage grow to ~4x the live heap before
# collecting it (peak RSS ~450-580 MB at the default batch 500 x concurrency 2, whose live heap stays
# under ~80 MB; ~235-250 MB with these), and glibc keeps a malloc arena per thread. `run`, `worker` and
# `reprocess` refuse to start with a heap too small for their batch size x concurrency and say which
# value to set. `npm run bench` reads these lines, so it measures what is deployed.
ENV NODE_OPTIONS="--max-old-space-size=128"
ENV MALLOC_ARENA_MAX=2
COPY package.json package-lock.json ./
COPY stubs ./stubs
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
USER node
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["--help"]
