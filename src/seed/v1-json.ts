import { pythonJsonDumps } from "../manifest/python-json-writer.js";

/** What a v1 image JSON says about one layer; `render` prints it the way a client stored it. */
export interface V1Facts {
  /** Omitted when undefined (the `v1-no-id` defect). */
  id: string | undefined;
  parent: string | undefined;
  /** RFC 3339 with nanoseconds, as Go printed it. */
  created: string;
  container: string;
  cmd: readonly string[];
  /** `container_config.Image`/`config.Image`: the parent id, or the base image's name. */
  image: string;
  env: readonly string[];
  labels: Readonly<Record<string, string>>;
  author: string | undefined;
  comment: string | undefined;
  dockerVersion: string;
  size: number;
  throwaway: boolean;
}

/**
 * `go`: Docker's Go client (compact, raw UTF-8, `<>&` as \u003c…); `python`: a registry that re-dumped it
 * with Python's `json.dumps` (`", "` and `": "` separators, non-ASCII escaped).
 */
export type V1Style = "go" | "python";

type Plain = string | number | boolean | null | readonly Plain[] | { readonly [key: string]: Plain };

/** The object in Docker's field order (`image.V1Image`, then `throwaway` as schema1 history adds it). */
export function v1Object(facts: V1Facts): Record<string, Plain> {
  const out: Record<string, Plain> = {};
  if (facts.id !== undefined) out.id = facts.id;
  if (facts.parent !== undefined) out.parent = facts.parent;
  if (facts.comment !== undefined) out.comment = facts.comment;
  out.created = facts.created;
  out.container = facts.container;
  out.container_config = {
    Hostname: facts.container.slice(0, 12),
    Env: facts.env,
    Cmd: facts.cmd,
    Image: facts.image,
    Labels: facts.labels,
  };
  out.docker_version = facts.dockerVersion;
  if (facts.author !== undefined) out.author = facts.author;
  out.config = {
    Hostname: facts.container.slice(0, 12),
    Env: facts.env,
    Cmd: facts.cmd.length > 0 && facts.cmd[0] === "/bin/sh" ? ["/bin/sh"] : facts.cmd,
    Image: facts.image,
    Labels: facts.labels,
  };
  out.architecture = "amd64";
  out.os = "linux";
  if (facts.size !== 0) out.Size = facts.size;
  if (facts.throwaway) out.throwaway = true;
  return out;
}

export function renderV1Json(facts: V1Facts, style: V1Style): string {
  return renderJson(v1Object(facts), style);
}

export function renderJson(value: Plain, style: V1Style): string {
  if (style === "python") return pythonJsonDumps(value);
  // encoding/json escapes these three for HTML safety; they occur only inside strings.
  const text = JSON.stringify(value);
  return GO_ESCAPED.test(text) ? text.replace(GO_ESCAPED_ALL, goEscape) : text;
}

const GO_ESCAPED = /[<>&\u2028\u2029]/;
const GO_ESCAPED_ALL = /[<>&\u2028\u2029]/g;

function goEscape(ch: string): string {
  return "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0");
}
