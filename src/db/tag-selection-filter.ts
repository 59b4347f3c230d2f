import { parseRepositoryRef } from "../repository-ref.js";

/** The name filters of a tag selection as query parameters (null: no filter). */
export interface TagSelectionFilter {
  namespace: string | null;
  repository: string | null;
  ids: number[] | null;
}

/**
 * Splits `--repository ns/repo` (which also fixes the namespace) and copies an explicit id list, as the
 * batch loaders and the reprocess selection bind them.
 */
export function tagSelectionFilter(selection: {
  namespace?: string | undefined;
  repository?: string | undefined;
  tagIds?: readonly number[] | null | undefined;
}): TagSelectionFilter {
  const ids = selection.tagIds === null || selection.tagIds === undefined ? null : [...selection.tagIds];
  if (selection.repository === undefined)
    return { namespace: selection.namespace ?? null, repository: null, ids };
  const ref = parseRepositoryRef(selection.repository);
  return { namespace: ref.namespace, repository: ref.name, ids };
}
