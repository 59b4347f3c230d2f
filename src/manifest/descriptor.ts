import { PyInt, toPlain, type JsonObject } from "./json-value.js";

export interface Platform {
  architecture: string;
  os: string;
  "os.version"?: string;
  "os.features"?: string[];
  variant?: string;
  features?: string[];
}

/** A content descriptor (OCI) as schema2 and lists use it. Read after schema validation. */
export interface Descriptor {
  mediaType: string;
  size: number;
  digest: string;
  urls?: string[];
  platform?: Platform;
}

/** Converts a validated descriptor object; `size` was checked to be an integer. */
export function readDescriptor(value: JsonObject): Descriptor {
  const size = value.get("size");
  const out: Descriptor = {
    mediaType: value.get("mediaType") as string,
    size: size instanceof PyInt ? size.toNumber() : 0,
    digest: value.get("digest") as string,
  };
  const urls = value.get("urls");
  if (urls !== undefined) out.urls = toPlain(urls) as string[];
  const platform = value.get("platform");
  if (platform !== undefined) out.platform = toPlain(platform) as Platform;
  return out;
}
