import type { Migration } from "kysely";
import * as quayTables from "./0001-quay-tables.js";
import * as backfillLedger from "./0002-backfill-ledger.js";
import * as tagOutcomeReprocess from "./0003-tag-outcome-reprocess.js";
import * as runThrottle from "./0004-run-throttle.js";
import * as batchContended from "./0005-batch-contended.js";
import * as runWindowTune from "./0006-run-window-tune.js";
import * as runAdaptiveState from "./0007-run-adaptive-state.js";
import * as runNiceRatio from "./0008-run-nice-ratio.js";

/** Every migration, in order. A static index, not a directory scan: a test checks it lists every file. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  "0001-quay-tables": quayTables,
  "0002-backfill-ledger": backfillLedger,
  "0003-tag-outcome-reprocess": tagOutcomeReprocess,
  "0004-run-throttle": runThrottle,
  "0005-batch-contended": batchContended,
  "0006-run-window-tune": runWindowTune,
  "0007-run-adaptive-state": runAdaptiveState,
  "0008-run-nice-ratio": runNiceRatio,
};
