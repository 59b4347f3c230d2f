/**
 * The signing thread, as source evaluated by `new Worker(…, { eval: true })`: plain CommonJS over
 * node:crypto, so it runs the same under tsx, the compiled CLI and the test runner (a `.ts` worker file
 * would need the TypeScript loader registered in every thread). Signatures are JOSE form: PKCS#1 v1.5
 * for RS256, r||s for ES256 (createSign's sign takes the same key options as crypto.sign).
 */
export const SIGNER_WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const crypto = require("node:crypto");
const text = String(workerData.key).trim();
let key;
try {
  key = text.startsWith("{")
    ? crypto.createPrivateKey({ key: JSON.parse(text), format: "jwk" })
    : crypto.createPrivateKey({ key: text, format: "pem" });
} catch {
  throw new Error("the signing thread could not read the key");
}
const options = workerData.alg === "ES256" ? { key, dsaEncoding: "ieee-p1363" } : key;
// A job is the signing input itself, or a JWS input's parts: protected header (base64url) and payload.
const signOne = (job) => {
  if (job instanceof Uint8Array) return crypto.sign("sha256", job, options);
  const payload = Buffer.from(job.payload.buffer, job.payload.byteOffset, job.payload.byteLength);
  return crypto
    .createSign("sha256")
    .update(job.protectedB64 + ".", "ascii")
    .update(payload.toString("base64url"), "ascii")
    .sign(options);
};
parentPort.on("message", (message) => {
  try {
    const signatures = message.jobs.map(signOne);
    parentPort.postMessage({ id: message.id, signatures });
  } catch (err) {
    parentPort.postMessage({ id: message.id, error: "signing failed: " + (err && err.code ? err.code : "error") });
  }
});
`;
