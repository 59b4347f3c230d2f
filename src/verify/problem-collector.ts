import { PROBLEM_CLASSES, PROBLEM_CODES, type ProblemCode, type Severity } from "./problem-classes.js";

/** One instance of a problem: which legacy tag, shown as `ns/repo:tag`, and what exactly differs. */
export interface ProblemExample {
  repositoryTagId: number | null;
  tag: string | null;
  detail: string;
}

export interface Problem extends ProblemExample {
  code: ProblemCode;
}

export interface ProblemSummary {
  code: ProblemCode;
  severity: Severity;
  summary: string;
  count: number;
  examples: ProblemExample[];
}

export const MAX_EXAMPLES = 5;

/**
 * Counts problems by class and keeps the first few examples of each, so memory stays bounded however many
 * tags are wrong. Examples are kept in the order found, which is repositorytag id order.
 */
export class ProblemCollector {
  readonly #counts = new Map<ProblemCode, number>();
  readonly #examples = new Map<ProblemCode, ProblemExample[]>();

  add(problem: Problem): void {
    this.addCount(problem.code, 1, [problem]);
  }

  /** Adds `count` occurrences found by a set-based query, with the examples it returned. */
  addCount(code: ProblemCode, count: number, examples: readonly ProblemExample[]): void {
    if (count <= 0) return;
    this.#counts.set(code, (this.#counts.get(code) ?? 0) + count);
    const kept = this.#examples.get(code) ?? [];
    for (const example of examples) {
      if (kept.length >= MAX_EXAMPLES) break;
      kept.push({ repositoryTagId: example.repositoryTagId, tag: example.tag, detail: example.detail });
    }
    this.#examples.set(code, kept);
  }

  /** Classes found, in the catalogue's order (stable output). */
  summaries(): ProblemSummary[] {
    return PROBLEM_CODES.filter((code) => this.#counts.has(code)).map((code) => ({
      code,
      severity: PROBLEM_CLASSES[code].severity,
      summary: PROBLEM_CLASSES[code].summary,
      count: this.#counts.get(code) ?? 0,
      examples: this.#examples.get(code) ?? [],
    }));
  }

  hasFailing(): boolean {
    return [...this.#counts.keys()].some((code) => PROBLEM_CLASSES[code].severity === "failing");
  }
}
