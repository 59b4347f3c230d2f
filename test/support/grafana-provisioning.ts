import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./repo-root.js";

/** The Grafana files of the `observability` compose profile, as the tests read them. */
export const GRAFANA_DIR = path.join(REPO_ROOT, "deploy", "grafana");

export interface DataSourceRef {
  readonly type?: string;
  readonly uid?: string;
}

export interface DashboardPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: DataSourceRef;
  readonly gridPos?: { x: number; y: number; w: number; h: number };
  readonly targets?: readonly { refId: string; expr?: string; datasource?: DataSourceRef }[];
  readonly panels?: readonly DashboardPanel[];
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly DashboardPanel[];
}

export interface AlertQuery {
  readonly refId: string;
  readonly datasourceUid: string;
  readonly model: { refId: string; expr?: string; type?: string; expression?: string };
}

export interface AlertRule {
  readonly uid: string;
  readonly title: string;
  readonly condition: string;
  readonly for: string;
  readonly data: readonly AlertQuery[];
}

/** One LogQL query and where it is. */
export interface NamedQuery {
  readonly where: string;
  readonly expr: string;
}

const readJson = <T>(...parts: string[]): T =>
  JSON.parse(readFileSync(path.join(GRAFANA_DIR, ...parts), "utf8")) as T;

export function loadDashboard(): Dashboard {
  return readJson<Dashboard>("dashboards", "backfill.json");
}

export function loadAlertRules(): AlertRule[] {
  const doc = readJson<{ groups: { rules: AlertRule[] }[] }>(
    "provisioning",
    "alerting",
    "backfill-alerts.json",
  );
  return doc.groups.flatMap((g) => g.rules);
}

/** Every panel, those inside rows included. */
export function allPanels(dashboard: Dashboard): DashboardPanel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

export function dashboardQueries(dashboard: Dashboard): NamedQuery[] {
  return allPanels(dashboard).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `panel ${p.id} "${p.title}" ${t.refId}`, expr: t.expr ?? "" })),
  );
}

export function alertQueries(rules: readonly AlertRule[], lokiUid: string): NamedQuery[] {
  return rules.flatMap((r) =>
    r.data
      .filter((d) => d.datasourceUid === lokiUid)
      .map((d) => ({ where: `rule "${r.title}" ${d.refId}`, expr: d.model.expr ?? "" })),
  );
}

/** The uid of the provisioned Loki data source (its one `uid:` line). */
export function provisionedLokiUid(): string {
  const text = readFileSync(path.join(GRAFANA_DIR, "provisioning", "datasources", "loki.yaml"), "utf8");
  const uids = [...text.matchAll(/^\s*uid:\s*"?([A-Za-z0-9_-]+)"?\s*$/gm)].map((m) => m[1] ?? "");
  if (uids.length !== 1 || !/^\s*type:\s*loki\s*$/m.test(text)) {
    throw new Error(`expected one Loki data source with a uid, found uids ${JSON.stringify(uids)}`);
  }
  return uids[0] ?? "";
}
