import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { parseSchema1 } from "../../src/manifest/parse-schema1.js";
import { verifySchema1Signatures } from "../../src/manifest/verify-schema1.js";
import { REPO_ROOT, VECTORS_DIR } from "../support/repo-root.js";
import { loadSchema1Vectors } from "../unit/manifest/vectors.js";

function runCli(
  args: string[],
  stdin = "",
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      cwd: REPO_ROOT,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const vectors = loadSchema1Vectors().slice(0, 4);
const specLines = vectors.map(({ input }) =>
  JSON.stringify({
    namespace: input.namespace,
    repository: input.repository,
    tag: input.tag,
    layers: input.layers_leaf_first.map((l) => ({ digest: l.digest, v1Compatibility: l.v1_json })),
    imagesMap: input.images_map,
  }),
);
// Two malformed lines in the middle: the stream must go on past them.
const STDIN = [specLines[0], "{not json", '{"namespace": "a"}', ...specLines.slice(1)].join("\n") + "\n";

interface OutLine {
  digest?: string;
  manifest?: string;
  mediaType?: string;
  size?: number;
  stripped?: boolean;
  problems?: { code: string }[];
  legacyImages?: { id: string }[];
  error?: { code: string; message: string };
}
const parseLines = (stdout: string) =>
  stdout
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as OutLine);

describe("backfill manifest build", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "manifest-cli-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes one line per input line, errors in place, unsigned bytes as Quay's", async () => {
    const { code, stdout } = await runCli(["manifest", "build"], STDIN);
    assert.equal(code, 0);
    const lines = parseLines(stdout);
    assert.equal(lines.length, 6);
    assert.equal(lines[1]?.error?.code, "invalid_input");
    assert.equal(lines[2]?.error?.code, "invalid_input");
    const built = [lines[0], ...lines.slice(3)];
    built.forEach((line, i) => {
      const expected = vectors[i]?.expected.unsigned;
      assert.equal(line?.digest, expected?.digest);
      assert.equal(line?.size, expected?.size);
      assert.equal(Buffer.from(line?.manifest ?? "").toString("base64"), expected?.bytes_b64);
      assert.equal(line?.stripped, false);
    });
  });

  it("signs with --key and --time, rewrites ids, and strips on request", async () => {
    const keyFile = path.join(dir, "key.pem");
    // RSA: its signatures are deterministic (ECDSA's are not), so reruns can be compared byte for byte.
    const key = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    writeFileSync(keyFile, key.export({ type: "pkcs1", format: "pem" }));
    const args = ["manifest", "build", "--key", keyFile, "--time", "2020-01-02T03:04:05Z", "--rewrite-ids"];
    const first = parseLines((await runCli(args, STDIN)).stdout);
    const second = parseLines((await runCli(args, STDIN)).stdout);
    assert.deepEqual(first, second, "a fixed time gives identical bytes");
    const line = first[0];
    assert.equal(line?.mediaType, "application/vnd.docker.distribution.manifest.v1+prettyjws");
    const parsed = parseSchema1(line?.manifest ?? "");
    assert.equal(parsed.digest, line?.digest);
    assert.equal((await verifySchema1Signatures(parsed)).status, "valid");
    const expectedRewrite = vectors[0]?.expected.rewritten;
    assert.ok(Array.isArray(expectedRewrite));
    assert.deepEqual(
      line?.legacyImages?.map((i) => i.id),
      expectedRewrite.map((i) => i.image_id),
    );

    const stripped = parseLines((await runCli(["manifest", "build", "--strip-metadata"], STDIN)).stdout);
    assert.equal(stripped[0]?.stripped, true);
    const strippedExpected = vectors[0]?.expected.stripped;
    assert.ok(strippedExpected && "digest" in strippedExpected);
    assert.equal(stripped[0]?.digest, strippedExpected.digest);
  });

  it("reports a too-small --max-size as an error line", async () => {
    const { stdout } = await runCli(["manifest", "build", "--max-size", "100"], specLines[0] + "\n");
    assert.equal(parseLines(stdout)[0]?.error?.code, "manifest_too_large");
  });

  it("refuses an unusable key with exit 2, without quoting it", async () => {
    const keyFile = path.join(dir, "weak.pem");
    const weak = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    });
    writeFileSync(keyFile, weak);
    const { code, stderr } = await runCli(["manifest", "build", "--key", keyFile], "");
    assert.equal(code, 2);
    assert.match(stderr, /1024 bits; use at least 2048/);
    assert.ok(!stderr.includes(String(weak).split("\n")[2] ?? "-"));
  });
});

describe("backfill manifest inspect", () => {
  const fixture = (name: string) => path.join(VECTORS_DIR, "fixtures", name);

  it("prints digest, signature verdict and problems as JSON", async () => {
    const { code, stdout } = await runCli([
      "manifest",
      "inspect",
      "--json",
      fixture("containers-image-v2s1.manifest.json"),
    ]);
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as {
      digest: string;
      signature: { status: string };
      problems: unknown[];
    };
    assert.equal(report.digest, "sha256:7364fea9d84ee548ab67d4c46c6006289800c98de3fbf8c0a97138dfcc23f000");
    assert.equal(report.signature.status, "invalid");
  });

  it("reads stdin and prints a skopeo-like table", async () => {
    const { readFileSync } = await import("node:fs");
    const { code, stdout } = await runCli(
      ["manifest", "inspect", "-"],
      readFileSync(fixture("quay-validated_manifest.json"), "utf8"),
    );
    assert.equal(code, 0);
    assert.match(stdout, /^Digest: +sha256:b5dc4f63/m);
    assert.match(stdout, /^Signature: +valid/m);
  });

  it("gives docker's verdict on the libtrust fixtures (issue 11 §2)", async () => {
    const libtrust = (name: string) => path.join(REPO_ROOT, "test/fixtures/libtrust", name);
    const inspect = async (name: string) => {
      const { code, stdout, stderr } = await runCli(["manifest", "inspect", "--json", libtrust(name)]);
      assert.equal(stderr, "", name);
      return { code, report: JSON.parse(stdout) as Record<string, unknown> };
    };
    const verdict = ({ code, report }: { code: number | null; report: Record<string, unknown> }) => ({
      code,
      signature: (report.signature as { status: string } | undefined)?.status,
      problems: (report.problems as { code: string }[] | undefined)?.map((p) => p.code),
      layers: report.layers,
      error: report.error,
    });
    const signedLayers = [`sha256:${"2".repeat(64)}`, `sha256:${"1".repeat(64)}`];
    const [conflict, kid, extra, mixed, utf8] = await Promise.all(
      [
        "conflicting-format-length.json",
        "kid-mismatch.json",
        "extra-data-layers.json",
        "schema2-with-fslayers.json",
        "invalid-utf8-byte.json",
      ].map(inspect),
    );
    const signed = { code: 0, layers: signedLayers, error: undefined };
    assert.deepEqual(verdict(conflict!), {
      ...signed,
      signature: "invalid",
      problems: ["conflicting_format"],
    });
    assert.deepEqual(verdict(kid!), { ...signed, signature: "valid", problems: ["kid_mismatch"] });
    assert.deepEqual(verdict(extra!), { ...signed, signature: "valid", problems: ["unsigned_content"] });
    assert.deepEqual(verdict(mixed!), {
      code: 1,
      signature: undefined,
      problems: undefined,
      layers: undefined,
      error: {
        code: "ambiguous_kind",
        field: "/fsLayers",
        message: "rejecting ambiguous manifest: unexpected field fsLayers in a manifest of kind schema2",
      },
    });
    assert.equal(verdict(utf8!).code, 1);
    assert.deepEqual(verdict(utf8!).error, {
      code: "invalid_utf8",
      field: "",
      message:
        "manifest is not UTF-8: 'utf-8' codec can't decode byte 0xff in position 37: invalid start byte",
    });
  });

  it("exits 1 on a malformed manifest with its reason code", async () => {
    const { code, stdout } = await runCli([
      "manifest",
      "inspect",
      "--json",
      fixture("containers-image-v2s1-invalid-signatures.manifest.json"),
    ]);
    assert.equal(code, 1);
    assert.deepEqual((JSON.parse(stdout) as { error: { code: string } }).error.code, "invalid_signatures");
  });
});
