import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DashboardMetrics } from "../dashboard/dashboard-metrics.js";
import { LogAggregator } from "../dashboard/log-aggregator.js";
import { dashboardPage } from "../dashboard-page/dashboard-page.js";
import { pageAssets } from "./page-assets.js";

/** How often the live page asks for the model. */
export const PAGE_POLL_MS = 2000;

/** The log's figures, fed line by line, with the metrics that observe them. */
export class DashboardState {
  readonly metrics = new DashboardMetrics();
  readonly aggregator = new LogAggregator({ onLine: this.metrics.observe });

  readonly add = (text: string): void => this.aggregator.add(text);
}

/** One self-contained page of the model now: uPlot and the figures inlined, nothing fetched. */
export function exportPage(state: DashboardState, nowMs = Date.now()): string {
  const { uplotJs, uplotCss } = pageAssets();
  return dashboardPage({ kind: "export", model: state.aggregator.model(nowMs), uplotJs, uplotCss });
}

export interface RunningServer {
  url: string;
  close: () => Promise<void>;
}

/**
 * The live dashboard on `host:port` (port 0: any free one): `/` the page, `/model.json` the model,
 * `/metrics` Prometheus text, `/assets/*` uPlot from the installed package.
 */
export async function startDashboardServer(
  state: DashboardState,
  host: string,
  port: number,
): Promise<RunningServer> {
  const server = createServer((req, res) => {
    void respond(state, req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  });
  await listen(server, host, port);
  const address = server.address() as AddressInfo;
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

const TYPES = {
  html: "text/html; charset=utf-8",
  json: "application/json; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  metrics: "text/plain; version=0.0.4; charset=utf-8",
} as const;

async function respond(state: DashboardState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
  if (req.method !== "GET" && req.method !== "HEAD") {
    send(res, 405, "text/plain; charset=utf-8", "only GET\n");
    return;
  }
  const assets = pageAssets();
  if (pathname === "/" || pathname === "/index.html") {
    send(res, 200, TYPES.html, dashboardPage({ kind: "live", pollMs: PAGE_POLL_MS }));
  } else if (pathname === "/model.json") {
    send(res, 200, TYPES.json, JSON.stringify(state.aggregator.model(Date.now())));
  } else if (pathname === "/metrics") {
    send(res, 200, TYPES.metrics, await state.metrics.render(state.aggregator.model(Date.now())));
  } else if (pathname === "/assets/uPlot.iife.min.js") {
    send(res, 200, TYPES.js, assets.uplotJs);
  } else if (pathname === "/assets/uPlot.min.css") {
    send(res, 200, TYPES.css, assets.uplotCss);
  } else if (pathname === "/favicon.ico") {
    res.writeHead(204).end();
  } else {
    send(res, 404, "text/plain; charset=utf-8", "not found\n");
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}
