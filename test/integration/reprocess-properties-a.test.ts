import { reprocessProperties, SEEDS } from "./reprocess-properties.js";

// Issue 11's invariants of reprocess --force, seeds 1-2 of 5 (three files: each within the time limit).
reprocessProperties(SEEDS.slice(0, 2));
