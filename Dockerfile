# The backfill CLI; runs TypeScript through tsx, so there is no build step.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY jobs ./jobs
COPY migrations ./migrations
USER node
ENTRYPOINT ["node", "bin/backfill.js"]
CMD ["--help"]
