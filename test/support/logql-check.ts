import { parser } from "@grafana/lezer-logql";

/**
 * Checks one LogQL query of the Grafana dashboard or alert rules against the log vocabulary: it must parse,
 * select its lines one way only (`| json | event="…"`, several joined with `or`), name only known events,
 * and use after `| json` only fields those events carry, the fields every line has, or stream labels.
 */

type SyntaxNode = ReturnType<typeof parser.parse>["topNode"];

/** What a query may name: each event's fields, the fields of every line, and the shipper's stream labels. */
export interface LogQLVocabulary {
  readonly events: ReadonlyMap<string, ReadonlySet<string>>;
  readonly common: ReadonlySet<string>;
  readonly streamLabels: ReadonlySet<string>;
}

/** Labels Loki itself adds after a parser stage. */
const LOKI_LABELS = new Set(["__error__", "__error_details__"]);

/** Grafana's own variables, replaced by a duration before parsing (Grafana does the same before it sends). */
const GRAFANA_DURATIONS = /\$__(auto|interval|range|rate_interval)\b/g;

/** The pipeline stages the dashboard uses; anything else (logfmt, label_format, a line filter) is flagged. */
const STAGES = new Set(["LabelParser", "LabelFilter", "LineFormatExpr"]);

interface Scope {
  readonly events: string[];
  /** Fields every selected event must carry (filters, unwrap). */
  readonly strict: string[];
  /** Fields one of the selected events must carry (line_format templates show them when present). */
  readonly loose: string[];
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c !== null; c = c.nextSibling) out.push(c);
  return out;
}

function descendants(node: SyntaxNode, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const walk = (n: SyntaxNode) => {
    for (const c of children(n)) {
      if (c.name === name) out.push(c);
      walk(c);
    }
  };
  walk(node);
  return out;
}

/** The value of a String node: a double-quoted (JSON-escaped) or back-quoted literal. */
function stringValue(text: string): string {
  return text.startsWith("`") ? text.slice(1, -1) : (JSON.parse(text) as string);
}

/** Reads the pipeline of one log selector (a LogExpr or LogRangeExpr) into its events and fields. */
function readScope(
  node: SyntaxNode,
  text: (n: SyntaxNode) => string,
  streamLabels: ReadonlySet<string>,
  problems: string[],
): Scope {
  const scope: Scope = { events: [], strict: [], loose: [] };
  for (const matcher of descendants(node.getChild("Selector") ?? node, "Matcher")) {
    const label = text(matcher.getChild("Identifier") ?? matcher);
    if (!streamLabels.has(label))
      problems.push(`stream selector label "${label}" is not set by the log shipper`);
  }
  let parsed = false;
  const stages = descendants(node, "PipelineStage");
  for (const stage of stages) {
    const body = children(stage).find((c) => c.name !== "Pipe");
    if (body === undefined || !STAGES.has(body.name)) {
      problems.push(`unsupported pipeline stage "${text(stage)}" (select events with | json | event="…")`);
      continue;
    }
    if (body.name === "LabelParser") {
      if (text(body) !== "json") problems.push(`parser "${text(body)}" (the lines are JSON: use | json)`);
      parsed = true;
      continue;
    }
    if (!parsed) problems.push(`"${text(body)}" comes before | json`);
    if (body.name === "LineFormatExpr") {
      const template = stringValue(text(body.getChild("String") ?? body));
      for (const m of template.matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)/g)) scope.loose.push(m[1] ?? "");
      continue;
    }
    readLabelFilter(body, text, scope, problems);
  }
  for (const unwrap of descendants(node, "UnwrapExpr")) {
    if (!parsed) problems.push(`"${text(unwrap)}" comes before | json`);
    const field = unwrap.getChild("Identifier");
    if (field !== null) scope.strict.push(text(field));
    const filters = children(unwrap).filter((c) => c.name === "LabelFilter");
    for (const filter of filters) readLabelFilter(filter, text, scope, problems);
  }
  if (scope.events.length === 0) problems.push(`"${text(node)}" selects no event (| json | event="…")`);
  return scope;
}

/** One label filter (or an `or`/`and` of them): `event="…"` selects events, any other names a field. */
function readLabelFilter(
  node: SyntaxNode,
  text: (n: SyntaxNode) => string,
  scope: Scope,
  problems: string[],
) {
  const nested = children(node).filter((c) => c.name === "LabelFilter");
  if (nested.length > 0) {
    for (const n of nested) readLabelFilter(n, text, scope, problems);
    return;
  }
  const first = children(node)[0];
  const identifier = first?.name === "Identifier" ? first : first?.getChild("Identifier");
  if (identifier === null || identifier === undefined) return;
  const name = text(identifier);
  if (name !== "event") {
    scope.strict.push(name);
    return;
  }
  const op = first?.getChild("Eq");
  const value = first?.getChild("String");
  if (op === null || op === undefined || value === null || value === undefined) {
    problems.push(`"${text(node)}": select an event with event="…" (one event per matcher, or joined)`);
    return;
  }
  scope.events.push(stringValue(text(value)));
}

/** Labels named by by/without and on/ignoring, outside any one selector. */
function groupingLabels(root: SyntaxNode, text: (n: SyntaxNode) => string): string[] {
  const labels: string[] = [];
  for (const g of descendants(root, "Grouping")) {
    for (const id of descendants(g, "Identifier")) labels.push(text(id));
  }
  for (const g of descendants(root, "GroupingLabels")) {
    for (const id of descendants(g, "LabelName")) labels.push(text(id));
  }
  return labels;
}

/** The problems of one query: parse errors, unknown events, fields none of its events carry. */
export function checkLogQL(expr: string, vocab: LogQLVocabulary): string[] {
  const source = expr.replace(GRAFANA_DURATIONS, "5m");
  const tree = parser.parse(source);
  const problems: string[] = [];
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) problems.push(`parse error at ${n.from}: "${source.slice(n.from, n.from + 30)}"`);
    },
  });
  if (problems.length > 0) return problems;
  const text = (n: SyntaxNode) => source.slice(n.from, n.to);
  const root = tree.topNode;
  const scopes = [...descendants(root, "LogRangeExpr"), ...descendants(root, "LogExpr")].map((n) =>
    readScope(n, text, vocab.streamLabels, problems),
  );
  const base = (f: string) => vocab.common.has(f) || vocab.streamLabels.has(f) || LOKI_LABELS.has(f);
  const carries = (event: string, f: string) => base(f) || (vocab.events.get(event)?.has(f) ?? false);
  for (const scope of scopes) {
    for (const e of scope.events) if (!vocab.events.has(e)) problems.push(`unknown event "${e}"`);
    const known = scope.events.filter((e) => vocab.events.has(e));
    for (const f of scope.strict) {
      const without = known.filter((e) => !carries(e, f));
      if (without.length > 0) problems.push(`field "${f}" is not a field of ${without.join(", ")}`);
    }
    for (const f of scope.loose) {
      if (!known.some((e) => carries(e, f)))
        problems.push(`field "${f}" is a field of none of ${known.join(", ")}`);
    }
  }
  const all = scopes.flatMap((s) => s.events);
  for (const label of groupingLabels(root, text)) {
    if (!all.some((e) => carries(e, label)))
      problems.push(`grouping label "${label}" is a field of none of ${all.join(", ")}`);
  }
  return problems;
}
