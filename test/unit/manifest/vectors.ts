import { readFileSync } from "node:fs";
import path from "node:path";
import { VECTORS_DIR } from "../../support/repo-root.js";

export interface VectorCase {
  name: string;
  namespace: string;
  repository: string;
  tag: string;
  layers_leaf_first: { digest: string; v1_json: string | null }[];
  images_map: Record<string, string>;
}

export interface VectorBytes {
  size: number;
  digest: string;
  bytes_b64: string;
}

export interface VectorImage {
  image_id: string;
  parent_image_id: string | null;
  compat_json: string;
  content_checksum: string;
}

export interface VectorExpected {
  name: string;
  unsigned: VectorBytes;
  stripped: VectorBytes | { error: string };
  rewritten: VectorImage[] | { error: string };
}

function readJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(path.join(VECTORS_DIR, ...parts), "utf8")) as T;
}

/** Every generated case with Quay's expected output beside it. */
export function loadSchema1Vectors(): { input: VectorCase; expected: VectorExpected }[] {
  const cases = readJson<VectorCase[]>("schema1-cases.json");
  const expected = readJson<VectorExpected[]>("schema1-expected.json");
  return cases.map((input, i) => {
    const exp = expected[i];
    if (!exp || exp.name !== input.name) throw new Error(`vector ${input.name} has no expected entry`);
    return { input, expected: exp };
  });
}

export function readFixture(name: string): string {
  return readFileSync(path.join(VECTORS_DIR, "fixtures", name), "utf8");
}

export function decodeB64(b64: string): string {
  return Buffer.from(b64, "base64").toString("utf8");
}
