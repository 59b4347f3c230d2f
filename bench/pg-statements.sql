-- Where a backfill run's PostgreSQL time goes, by kind of statement (bench/pg-statements.sh).
-- total_exec_time includes sending the rows to the client; foreign-key checks are the RI triggers'
-- `SELECT … FOR KEY SHARE`, counted apart from the INSERT that fires them (track = all).
WITH s AS (
  SELECT total_exec_time AS ms, calls, query AS q FROM pg_stat_statements
   WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
), k AS (
  SELECT CASE
    WHEN q ~* 'FOR KEY SHARE' THEN 'Quay: foreign-key checks'
    WHEN q ~* '^COPY (manifest|tagmanifest|manifestblob) '
      THEN 'Quay: ' || substring(q FROM '^COPY (\w+)') || ' (COPY)'
    WHEN q ~* '^(COPY|WITH copied).*backfill_copy_(\w+)'
      THEN 'Quay: ' || substring(q FROM 'backfill_copy_(\w+)') || ' (scratch table: COPY + INSERT … SELECT)'
    WHEN q ~* '^(SAVEPOINT|RELEASE|ROLLBACK TO)' THEN 'other: savepoints'
    WHEN q ~* '^INSERT INTO (tag|tagtorepositorytag|manifestlegacyimage|tagmanifesttomanifest|tagmanifestlabelmap|manifestlabel|label|tagmanifestlabel)\M'
      THEN 'Quay: ' || substring(q FROM '^INSERT INTO (\w+)')
    WHEN q ~* '^insert into "image"' THEN 'Quay: image (v1 id rewrites)'
    WHEN q ~* 'backfill\.' OR q ~* '"backfill"\.' THEN 'ours: run bookkeeping and tag outcomes'
    WHEN q ~* '^\s*SELECT' THEN 'reads: source rows and existing targets'
    ELSE 'other: transaction control, scratch tables, settings'
  END AS kind, ms, calls FROM s
)
SELECT kind, round(sum(ms)) AS ms, sum(calls) AS calls,
       round(100 * sum(ms) / (SELECT sum(ms) FROM s))::int AS pct
  FROM k GROUP BY kind ORDER BY sum(ms) DESC;

SELECT round(total_exec_time) AS ms, calls, rows, regexp_replace(left(query, 100), '\s+', ' ', 'g') AS statement
  FROM pg_stat_statements
 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
 ORDER BY total_exec_time DESC LIMIT 15;
