import type { Kysely } from "kysely";
import { loadHealthSignals, runThrottleQuery, type HealthSignals } from "../db/load-health-signals.js";
import type { Database } from "../db/tables.js";
import { listThrottleSwitches, type ThrottleSwitch } from "../db/throttle-switch.js";
import { errorMessage } from "../error-message.js";
import type { Logger } from "../log.js";
import { logEvent } from "../log-events/log-event.js";
import { loadWalCounters } from "../db/load-wal-counters.js";
import { timeProbeQueries, type ResponseProbe } from "../db/probe-response-time.js";
import { commitReading, probeReading } from "./probe-latency.js";
import { timeDurableCommits } from "../db/probe-commit-time.js";
import { Pacer, type PaceGate } from "./pacer.js";
import { PACE_RULES } from "./pace-rules.js";
import { probeThrottleUrl } from "./throttle-url-probe.js";
import { ReplayLagTracker } from "./replay-lag-tracker.js";
import { walReadings, type WalSample } from "./wal-signals.js";
import type { ThrottleSettings } from "./throttle-settings.js";
import { decideThrottle, type SignalReading, type ThrottleVerdict } from "./throttle-decision.js";
import { windowReading, withRunLagLine, type RunThrottleOverrides } from "./run-throttle-overrides.js";

/** What the batch handler asks before it claims (jobs/backfill-batch.ts). */
export interface ThrottleGate {
  /** `run`: the run's own window and replica-lag line (runThrottleOverrides of its row). */
  verdict(runId: string, run?: RunThrottleOverrides): Promise<ThrottleVerdict>;
  /** How long a held-back delivery waits before it asks again. */
  readonly retryAfterMs: number;
  /** How many times its duration a delivery rests after its batch (jobs/nice-rest.ts); 0: none. */
  readonly niceRatio?: number;
  /** Paces the process's batches by what they do to the application (src/run/pacer.ts); none: no pacing. */
  readonly pacer?: PaceGate;
}

interface Reading {
  atMs: number;
  signals: SignalReading[];
  switches: ThrottleSwitch[];
}

/**
 * One per worker process: reads every signal at most once per `pollMs` (all concurrent deliveries share
 * the reading), and keeps the hysteresis between readings. A signal that cannot be read holds the
 * backfill back with the error as its reason: failing safe, and never failing the worker.
 */
export class ThrottleChecker implements ThrottleGate {
  private reading: Promise<Reading> | undefined;
  private holding = new Set<string>();
  /** The hysteresis of runs with their own replica-lag line. */
  private runHolding = new Map<string, Set<string>>();
  private replayLag = new ReplayLagTracker();
  /** The previous WAL and checkpoint counters: those signals are differences between two readings. */
  private wal: WalSample | undefined;
  readonly retryAfterMs: number;
  readonly niceRatio: number;
  readonly pacer?: Pacer;

  /**
   * `now`: the clock the runs' time windows are read against; `probe`: times the response-time queries;
   * `logger`: each reading is logged (`throttle.read`) when given; `commitProbe`: times durable commits.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly settings: ThrottleSettings,
    private readonly now: () => number = Date.now,
    private readonly probe: ResponseProbe = timeProbeQueries,
    private readonly logger?: Logger,
    private readonly commitProbe: ResponseProbe = timeDurableCommits,
  ) {
    this.retryAfterMs = Math.max(250, settings.pollMs);
    this.niceRatio = settings.niceRatio ?? 0;
    if (settings.pacing === true) {
      const share = settings.pacingSlowedShare;
      const rules = share === undefined ? PACE_RULES : { ...PACE_RULES, slowBudget: share };
      this.pacer = new Pacer(db, { logger, rules });
    }
  }

  async verdict(runId: string, run: RunThrottleOverrides = {}): Promise<ThrottleVerdict> {
    const reading = await this.current();
    const manual = reading.switches
      .filter((s) => s.runId === null || s.runId === runId)
      .map((s): SignalReading => ({
        name: s.runId === null ? "switch_all" : "switch_run",
        label: s.runId === null ? "manual throttle (all runs)" : "manual throttle",
        value: 1,
        unit: "flag",
        max: 0,
        ...(s.reason ? { detail: s.reason } : {}),
      }));
    const own = run.window ? [windowReading(run.window, this.now())] : [];
    const lagLine = run.maxReplicaLagS;
    if (lagLine === undefined) return decideThrottle([...manual, ...own, ...reading.signals], this.holding);
    const signals = withRunLagLine(reading.signals, lagLine);
    const verdict = decideThrottle(
      [...manual, ...own, ...signals],
      this.runHolding.get(runId) ?? this.holding,
    );
    this.runHolding.set(runId, new Set(verdict.holding));
    return verdict;
  }

  private async current(): Promise<Reading> {
    const pending = this.reading;
    if (pending) {
      const reading = await pending;
      if (Date.now() - reading.atMs < this.settings.pollMs) return reading;
      // Another delivery already started the next reading: share it.
      if (this.reading !== pending && this.reading) return this.reading;
    }
    this.reading = this.read(Date.now());
    return this.reading;
  }

  private async read(atMs: number): Promise<Reading> {
    const walOn =
      this.settings.maxWalMbPerS !== undefined || this.settings.maxRequestedCheckpoints !== undefined;
    const maxProbeMs = this.settings.maxProbeLatencyMs;
    const maxCommitMs = this.settings.maxCommitLatencyMs;
    const [health, query, url, switches, wal, probe, commit] = await Promise.all([
      guard("health signals", () => loadHealthSignals(this.db)),
      this.settings.query === undefined
        ? undefined
        : guard("throttle query", async () => runThrottleQuery(this.db, this.settings.query ?? "")),
      this.settings.url === undefined
        ? undefined
        : probeThrottleUrl(this.settings.url, this.settings.urlTimeoutMs),
      listThrottleSwitches(this.db).catch(() => [] as ThrottleSwitch[]),
      walOn ? guard("WAL counters", () => loadWalCounters(this.db)) : undefined,
      maxProbeMs === undefined ? undefined : guard("response probe", () => this.probe(this.db)),
      maxCommitMs === undefined ? undefined : guard("commit probe", () => this.commitProbe(this.db)),
    ]);
    const signals: SignalReading[] = [];
    if (health instanceof Failure) signals.push(health.reading);
    else if (health)
      signals.push(...healthReadings(health, this.replayLagS(Date.now(), health), this.settings));
    if (query instanceof Failure) signals.push(query.reading);
    else if (query !== undefined) signals.push(flag("query", "throttle query", query, "it says throttle"));
    if (url !== undefined) signals.push(flag("url", "throttle URL", url !== "ok", url));
    if (wal instanceof Failure) signals.push(wal.reading);
    else if (wal) {
      const sample = { atMs: Date.now(), ...wal };
      signals.push(...walReadings(this.wal, sample, this.settings));
      this.wal = sample;
    }
    if (probe instanceof Failure) signals.push(probe.reading);
    else if (probe !== undefined) signals.push(probeReading(probe, maxProbeMs));
    if (commit instanceof Failure) signals.push(commit.reading);
    else if (commit !== undefined) signals.push(commitReading(commit, maxCommitMs));
    const verdict = decideThrottle(signals, this.holding);
    this.holding = new Set(verdict.holding);
    if (this.logger) logReading(this.logger, signals, verdict);
    return { atMs, signals, switches };
  }

  /** The replicas' replay lag now, from this process's samples of the primary's WAL position. */
  private replayLagS(atMs: number, h: HealthSignals): number {
    if (h.currentWalLsn === undefined) return 0;
    return this.replayLag.observe(atMs, h.currentWalLsn, h.replicas);
  }
}

function healthReadings(h: HealthSignals, replayLagS: number, s: ThrottleSettings): SignalReading[] {
  return [
    {
      name: "replay_lag",
      label: "replay lag",
      value: replayLagS,
      unit: "seconds",
      max: s.maxReplicaLagS,
      critical: s.criticalReplicaLagS,
    },
    {
      name: "transaction_age",
      label: "oldest transaction",
      value: h.oldestTransactionS,
      unit: "seconds",
      max: s.maxTransactionAgeS,
      critical: s.criticalTransactionAgeS,
    },
    {
      name: "lock_waiters",
      label: "sessions waiting on backfill locks",
      value: h.lockWaiters,
      unit: "count",
      max: s.maxLockWaiters,
    },
    {
      name: "connection_use",
      label: "connection use",
      value: h.connectionUse,
      unit: "fraction",
      max: s.maxConnectionUse,
    },
    {
      name: "vacuums",
      label: "vacuums on written tables",
      value: h.vacuums,
      unit: "count",
      max: s.maxVacuums,
    },
  ];
}

/**
 * What the throttle saw: every signal read, by name, whether or not it has a threshold (a value without a
 * threshold shows what one would have met; an unreadable one is null), and the verdict.
 */
function logReading(logger: Logger, signals: readonly SignalReading[], verdict: ThrottleVerdict): void {
  const values: Record<string, number | null> = {};
  for (const s of signals) values[s.name] = Number.isFinite(s.value) ? s.value : null;
  const reason = verdict.tier === "clear" ? null : verdict.reason;
  logEvent(
    logger,
    "info",
    "throttle.read",
    { tier: verdict.tier, reason, signals: values },
    "throttle signals read",
  );
}

function flag(name: string, label: string, raised: boolean, detail: string): SignalReading {
  return { name, label, value: raised ? 1 : 0, unit: "flag", max: 0, detail };
}

class Failure {
  constructor(readonly reading: SignalReading) {}
}

async function guard<T>(what: string, read: () => Promise<T>): Promise<T | Failure> {
  try {
    return await read();
  } catch (err) {
    return new Failure(flag(what.replace(/ /g, "_"), `${what} failed`, true, errorMessage(err)));
  }
}
