import { reprocessProperties, SEEDS } from "./reprocess-properties.js";

// Issue 11's invariants of reprocess --force, seeds 3-4 of 5.
reprocessProperties(SEEDS.slice(2, 4));
