// The tag `explain` is asked about, as the explain source finds it (src/explain/explain-source.ts).

export type TagRef = { id: number } | { namespace: string; repository: string; tag: string };

/** A repositorytag row found by name or id, with how many rows share its name. */
export interface FoundTag {
  id: number;
  /** `ns/repo:tag`. */
  display: string;
  alive: boolean;
  lifetimeEndTs: number | null;
  /** Rows with this repository and name (dead ones included). */
  sameName: number;
}

export type TagLookup = { found: true; tag: FoundTag } | { found: false; missing: string };
