import type { Logger } from "../src/log.js";
import type { TagResult } from "../src/backfill/batch-result.js";
import { logEvent } from "../src/log-events/log-event.js";

/** One line per tag worth a look in a batch: a repair done or refused, a tag failed or mapped as broken. */
export function logTagEvents(log: Logger, results: readonly TagResult[], dryRun: boolean): void {
  for (const r of results) {
    // reprocess --force on a mapped tag: what was repaired, or why not (one line per tag).
    if ((r.reprocess === "repaired" || r.reprocess === "refused") && !dryRun) {
      const refused = r.reprocess === "refused";
      logEvent(
        log,
        refused ? "warn" : "info",
        refused ? "tag.repair_refused" : "tag.repaired",
        {
          repositoryTagId: r.repositoryTagId,
          repository: r.repository,
          tag: r.tag,
          ...(refused ? { reason: r.reason ?? "refused" } : {}),
          detail: r.reprocessDetail ?? null,
          changes: r.changes?.length ?? 0,
          columns: [...new Set((r.changes ?? []).map((c) => `${c.table}.${c.column}`))],
        },
        refused ? "repair refused" : "tag repaired",
      );
    }
    if (r.outcome === "backfilled_broken" || r.outcome === "failed") {
      const event = r.outcome === "failed" ? "tag.failed" : "tag.broken";
      logEvent(
        log,
        r.outcome === "failed" ? "warn" : "info",
        event,
        {
          repositoryTagId: r.repositoryTagId,
          repository: r.repository,
          tag: r.tag,
          reason: r.reason,
          detail: r.detail,
        },
        r.outcome === "failed" ? "tag failed" : "tag mapped as broken",
      );
    }
  }
}
