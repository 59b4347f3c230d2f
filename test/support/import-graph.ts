import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** One relative import of the source tree: the importing file, the imported file (both repo-relative). */
export interface ImportEdge {
  from: string;
  to: string;
  /** The module specifier as written, for bare imports such as "kysely". */
  specifier: string;
}

const IMPORT = /^\s*(?:import|export)\b[^'"]*?\bfrom\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm;

/** Every import and re-export of every .ts file under `roots` (repo-relative folders). */
export function readImports(repoRoot: string, roots: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const root of roots) {
    for (const file of tsFiles(path.join(repoRoot, root))) {
      const from = path.relative(repoRoot, file);
      for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
        const specifier = m[1] ?? m[2] ?? "";
        const to = specifier.startsWith(".")
          ? path.normalize(path.join(path.dirname(from), specifier)).replace(/\.js$/, ".ts")
          : specifier;
        edges.push({ from, to, specifier });
      }
    }
  }
  return edges;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

/**
 * The folder a file belongs to for layering: `src/<folder>` for files in a folder of src, the file itself
 * for a file directly in src (they are the shared bottom layer), the top folder otherwise (`jobs`).
 */
export function folderOf(file: string): string {
  const parts = file.split(path.sep).join("/").split("/");
  if (parts[0] === "src") return parts.length > 2 ? `src/${parts[1]}` : parts.join("/");
  return parts[0] ?? file;
}

/** Folder → folders it imports, for the relative imports only. */
export function folderGraph(edges: readonly ImportEdge[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!e.specifier.startsWith(".")) continue;
    const a = folderOf(e.from);
    const b = folderOf(e.to);
    if (a === b) continue;
    const targets = graph.get(a) ?? new Set<string>();
    targets.add(b);
    graph.set(a, targets);
  }
  return graph;
}

/** Every cycle between folders, each as its folders in order (a strongly connected component of 2+). */
export function folderCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  // Tarjan's strongly connected components.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const nodes = new Set<string>([...graph.keys(), ...[...graph.values()].flatMap((s) => [...s])]);
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!index.has(v)) visit(v);
  return cycles;
}
