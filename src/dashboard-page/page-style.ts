/** The page's own style (uPlot brings its own). */
export const PAGE_STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1f2933; background: #f5f7fa; }
header { background: #1f2933; color: #fff; padding: 8px 16px; }
header h1 { font-size: 18px; margin: 0; }
.meta { font-size: 12px; opacity: .85; }
main { padding: 8px 16px; }
section { background: #fff; border: 1px solid #d9e2ec; border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
h2 { font-size: 15px; margin: 4px 0 8px; }
h3 { font-size: 14px; margin: 4px 0; display: flex; gap: 12px; }
h4 { font-size: 13px; margin: 8px 0 4px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 12px; }
.run { border-top: 1px solid #d9e2ec; padding: 6px 0; }
.status { font-weight: 600; }
.status.completed { color: #1a7f5a; } .status.running { color: #2563eb; } .status.failed { color: #c2410c; }
.bar { position: relative; height: 18px; background: #e4e7eb; border-radius: 4px; overflow: hidden; }
.bar .fill { height: 100%; background: #3ebd93; }
.bar .pct { position: absolute; left: 8px; top: 0; font-size: 12px; }
.figures { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 6px 0; }
.figure .label { color: #616e7c; margin-right: 4px; }
.figure .value { font-weight: 600; }
table { border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; padding: 2px 10px 2px 0; border-bottom: 1px solid #eef1f4; vertical-align: top; }
td { overflow-wrap: anywhere; max-width: 60ch; }
.none { color: #9aa5b1; }
.error, tr.error td, .state.lost { color: #c2410c; }
tr.warn td { color: #a15c07; }
.state.alive { color: #1a7f5a; } .state.stopped { color: #616e7c; }
`;
