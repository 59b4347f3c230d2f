import type { Kysely } from "kysely";
import type { Database } from "../db/tables.js";
import { takePaceSample, type TakePaceSample } from "../db/take-pace-sample.js";
import { errorMessage } from "../error-message.js";
import type { Logger } from "../log.js";
import { logEvent } from "../log-events/log-event.js";
import { appBusyShare, decidePace, PACE_RULES, type PaceRules, type PaceSample } from "./pace-rules.js";

/** What the batch handler asks of the pacer (jobs/backfill-batch.ts). */
export interface PaceGate {
  /** Waits for this delivery's turn: one batch (and its rest) at a time while the pacer rests at all. */
  enter(): Promise<() => void>;
  batchStarted(): void;
  /** The batch committed or gave up; the pacer decides its ratio again. */
  batchEnded(): void;
  /** Rest per unit of batch time: the pacer's, or `floor` when that is more. */
  ratio(floor: number): number;
}

export interface PacerOptions {
  sampleMs?: number;
  /** At most one decision this often (it comes when a batch ends). */
  decideEveryMs?: number;
  rules?: PaceRules;
  sample?: TakePaceSample;
  logger?: Logger | undefined;
}

const CALIBRATION_SAMPLES = 8;
/** A baseline older than this is measured again (only while the application is active). */
const BASELINE_MAX_AGE_MS = 300_000;
const IDLE_KEPT = 200;
/** The sampler sleeps once no batch has run for this long. */
const AWAKE_MS = 30_000;
/** A delivery waits at most this long for its turn, then goes anyway (a stuck holder never stalls all). */
const MAX_TURN_WAIT_MS = 60_000;

/**
 * Paces one worker process by what its batches do to the application beside it (src/run/pace-rules.ts):
 * samples a durable commit every `sampleMs` while batches run, marks each with whether this process was
 * writing and whether the application was busy, and sets the rest after each batch so the share of the
 * application's commits it slows stays within the rules' budget (BACKFILL_PACING_SLOWED_SHARE). The uncontended line comes from samples taken while the process
 * wrote nothing: its rests, and a short pause of its batches when those are too old. A failing probe
 * turns pacing off for the process, with one log line; it never fails a batch.
 */
export class Pacer implements PaceGate {
  private samples: PaceSample[] = [];
  private idle: { atMs: number; latencyMs: number }[] = [];
  private writing = 0;
  private current = 0;
  private lastDecisionMs = 0;
  private lastActiveMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private turn: Promise<void> = Promise.resolve();
  private calibrating: Promise<void> | undefined;
  private failed = false;
  private failures = 0;
  private readonly sampleMs: number;
  private readonly decideEveryMs: number;
  private readonly rules: PaceRules;
  private readonly sample: TakePaceSample;
  private readonly logger: Logger | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    options: PacerOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.sampleMs = options.sampleMs ?? 250;
    this.decideEveryMs = options.decideEveryMs ?? 2_000;
    this.rules = options.rules ?? PACE_RULES;
    this.sample = options.sample ?? takePaceSample;
    this.logger = options.logger;
  }

  ratio(floor: number): number {
    return Math.max(floor, this.failed ? 0 : this.current);
  }

  async enter(): Promise<() => void> {
    this.lastActiveMs = this.now();
    this.wake();
    if (this.calibrationDue()) await (this.calibrating ??= this.calibrate());
    if (this.current === 0 || this.failed) return () => undefined;
    const before = this.turn;
    let leave = (): void => undefined;
    this.turn = new Promise<void>((resolve) => (leave = resolve));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, MAX_TURN_WAIT_MS).unref()));
    await Promise.race([before, timeout]);
    clearTimeout(timer);
    return leave;
  }

  batchStarted(): void {
    this.writing++;
  }

  batchEnded(): void {
    this.writing = Math.max(0, this.writing - 1);
    const at = this.now();
    this.lastActiveMs = at;
    if (at - this.lastDecisionMs < this.decideEveryMs || this.failed) return;
    this.lastDecisionMs = at;
    const idle = this.idle.map((s) => s.latencyMs);
    const decision = decidePace(this.window(at), idle, this.current, this.rules);
    const from = this.current;
    this.current = decision.ratio;
    if (this.logger && changed(from, decision.ratio)) {
      const { ratio, reason, appShare, duty, slowedWhileWriting, slowLineMs, samples } = decision;
      logEvent(
        this.logger,
        "info",
        "pace.changed",
        { from, ratio, reason, appShare, duty, slowedWhileWriting, slowLineMs: slowLineMs ?? null, samples },
        "rest between batches changed",
      );
    }
  }

  /** Stops sampling (the process is stopping); the ratio stays as it was. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.lastActiveMs = 0;
  }

  private calibrationDue(): boolean {
    if (this.failed) return false;
    const at = this.now();
    const window = this.window(at);
    if (window.length < this.rules.minSamples) return false;
    if (appBusyShare(window) < this.rules.appMinShare) return false;
    const fresh = this.idle.filter((s) => at - s.atMs <= BASELINE_MAX_AGE_MS);
    return fresh.length < CALIBRATION_SAMPLES;
  }

  /** The samples a decision at `at` reads. */
  private window(at: number): PaceSample[] {
    return this.samples.filter((s) => at - s.atMs <= this.rules.windowMs);
  }

  /** Holds new batches until this process's are all committed, then times a few commits. */
  private async calibrate(): Promise<void> {
    try {
      const deadline = this.now() + MAX_TURN_WAIT_MS;
      while (this.writing > 0 && this.now() < deadline) await delay(50);
      for (let i = 0; i < CALIBRATION_SAMPLES && !this.failed; i++) {
        await this.takeSample();
        await delay(Math.min(100, this.sampleMs));
      }
    } finally {
      this.calibrating = undefined;
    }
  }

  private wake(): void {
    if (this.timer || this.failed) return;
    const tick = (): void => {
      const asleep = this.writing === 0 && this.now() - this.lastActiveMs > AWAKE_MS;
      if (asleep || this.failed) {
        this.timer = undefined;
        return;
      }
      void this.takeSample().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.sampleMs).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  private async takeSample(): Promise<void> {
    const writing = this.writing > 0;
    try {
      const reading = await this.sample(this.db, this.sampleMs);
      const atMs = this.now();
      // A batch that started or ended meanwhile makes the sample neither: drop it.
      if (writing !== this.writing > 0) return;
      this.samples.push({ atMs, latencyMs: reading.latencyMs, writing, appBusy: reading.appBusy });
      if (!writing) this.idle.push({ atMs, latencyMs: reading.latencyMs });
      this.trim(atMs);
      this.failures = 0;
    } catch (err) {
      // A blip is skipped; a probe that keeps failing (no right to write WAL messages, say) is given up.
      if (++this.failures < 3) return;
      this.failed = true;
      if (this.logger)
        logEvent(this.logger, "warn", "pace.off", { err: errorMessage(err) }, "pacing off for this process");
    }
  }

  private trim(atMs: number): void {
    if (this.samples.length > 4 * (this.rules.windowMs / this.sampleMs))
      this.samples = this.samples.filter((s) => atMs - s.atMs <= this.rules.windowMs);
    if (this.idle.length > IDLE_KEPT) this.idle = this.idle.slice(-IDLE_KEPT);
  }
}

/** Logged when the ratio moves by a tenth or more, or to or from none. */
function changed(from: number, to: number): boolean {
  if (from === to) return false;
  if (from === 0 || to === 0) return true;
  return Math.abs(to - from) / from >= 0.1;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
