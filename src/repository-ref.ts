import { UsageError } from "./errors.js";

/** A repository named as `namespace/name`: the namespace is a username, the name may hold `/` itself. */
export interface RepositoryRef {
  namespace: string;
  name: string;
}

/**
 * The one reader of repository references for every command (`--repository`, `explain ns/repo:tag`):
 * split at the first `/`. Any other character is accepted, quotes and non-ASCII included, because Quay
 * stored such names and an operator must be able to select them; only a NUL is refused, since no
 * PostgreSQL text holds one.
 */
export function parseRepositoryRef(text: string, flag = "--repository"): RepositoryRef {
  const slash = text.indexOf("/");
  const namespace = text.slice(0, slash);
  const name = text.slice(slash + 1);
  if (slash <= 0 || name === "" || text.includes("\u0000")) {
    throw new UsageError(`${flag} expects namespace/name, got ${JSON.stringify(text)}`);
  }
  return { namespace, name };
}

/** A namespace name as given to `--namespace`: anything but empty, a `/` or a NUL. */
export function parseNamespace(text: string, flag = "--namespace"): string {
  if (text === "" || text.includes("/") || text.includes("\u0000")) {
    throw new UsageError(`${flag} expects a namespace name, got ${JSON.stringify(text)}`);
  }
  return text;
}
