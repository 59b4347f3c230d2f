import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { errorMessage } from "../error-message.js";
import { loadSigner, type Signer } from "../manifest/signer.js";
import { SignerUnavailableError, type BatchSigner } from "./batch-signer.js";
import { signAsync } from "./libuv-sign.js";
import { SIGNER_WORKER_SOURCE } from "./signer-worker-source.js";

export interface SignerPoolOptions {
  /**
   * `threads` (the default): worker threads, each holding the key, sent the manifests queued since the
   * last dispatch in one message. `libuv`: node:crypto's asynchronous sign on libuv's thread pool, one
   * request and one main-thread wake-up per signature. In a whole run (20,000 seeded tags, RS256, 2 cores)
   * threads did 857/705 tags/s with one thread and 724/680/811 with two, libuv 536/446: the ~500
   * wake-ups per batch cost the main thread more than the messages.
   */
  mode?: "threads" | "libuv";
  /**
   * Worker threads (`threads` mode); defaults to os.availableParallelism() - 1 (at least 1): the main
   * thread, which builds the manifests, keeps a core.
   */
  threads?: number;
}

/** What a signing thread is sent per signature: the input itself, or a JWS input's two parts. */
type SignJob = Uint8Array | { protectedB64: string; payload: Uint8Array };

interface Pending {
  job: SignJob;
  resolve: (signature: Uint8Array) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Pending[]>;
}

const MAX_CHUNK = 64;

/**
 * Signs with the operator's key on several threads. The key file's contents are read once here (to
 * validate them and to get the public JWK) and handed to each thread, which loads its own key object;
 * errors never carry the contents.
 */
export function createSignerPool(keyFileContents: string, options: SignerPoolOptions = {}): BatchSigner {
  const signer = loadSigner(keyFileContents);
  const mode = options.mode ?? "threads";
  if (mode === "libuv") return libuvSigner(keyFileContents, signer);

  const count = Math.max(1, options.threads ?? availableParallelism() - 1);
  const queue: Pending[] = [];
  const slots: Slot[] = [];
  let closed = false;
  let scheduled = false;
  let nextId = 0;

  const spawn = (): Slot => {
    const worker = new Worker(SIGNER_WORKER_SOURCE, {
      eval: true,
      workerData: { key: keyFileContents, alg: signer.alg },
    });
    const slot: Slot = { worker, inFlight: new Map() };
    worker.unref();
    worker.on("message", (message: SignedChunk) => {
      if (settle(slot, message)) schedule();
    });
    const fail = (why: string) => {
      rejectInFlight(slot, why);
      const index = slots.indexOf(slot);
      if (index >= 0) slots.splice(index, 1);
      if (!closed) slots.push(spawn());
    };
    worker.on("error", (err: unknown) => fail(`a signing thread failed: ${errorMessage(err)}`));
    worker.on("exit", (code) => fail(`a signing thread exited with code ${code}`));
    return slot;
  };
  for (let i = 0; i < count; i++) slots.push(spawn());

  const dispatch = () => {
    scheduled = false;
    while (queue.length > 0) {
      // Spread what is queued over every thread; a thread's own message queue keeps it busy.
      const slot = slots.reduce((a, b) => (queuedOn(b) < queuedOn(a) ? b : a));
      const chunk = queue.splice(0, Math.min(MAX_CHUNK, Math.ceil(queue.length / slots.length)));
      const id = ++nextId;
      slot.inFlight.set(id, chunk);
      slot.worker.ref();
      slot.worker.postMessage({ id, jobs: chunk.map((p) => p.job) });
    }
  };
  const schedule = () => {
    if (!scheduled && queue.length > 0) {
      scheduled = true;
      setImmediate(dispatch);
    }
  };
  const submit = (job: SignJob): Promise<Uint8Array> => {
    if (closed) return Promise.reject(new SignerUnavailableError("the signer pool is closed"));
    return new Promise((resolve, reject) => {
      queue.push({ job, resolve, reject });
      schedule();
    });
  };
  const sign = (input: Uint8Array) => submit(input);

  return Object.freeze({
    alg: signer.alg,
    kid: signer.kid,
    publicJwk: signer.publicJwk,
    sign,
    // The thread builds `protected.base64url(payload)` itself: the payload is copied once into the
    // message, instead of the main thread allocating its base64url text and the input bytes.
    signJws: (protectedB64: string, payload: Uint8Array) => submit({ protectedB64, payload }),
    signMany: (inputs: readonly Uint8Array[]) => Promise.all(inputs.map(sign)),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const pending of queue.splice(0))
        pending.reject(new SignerUnavailableError("the signer pool is closed"));
      await Promise.all(slots.splice(0).map((slot) => slot.worker.terminate()));
    },
  });
}

/** The libuv mode: node:crypto's asynchronous sign, one request per signature. */
function libuvSigner(keyFileContents: string, signer: Signer): BatchSigner {
  const sign = signAsync(keyFileContents, signer.alg);
  let closed = false;
  const guarded = (input: Uint8Array) =>
    closed ? Promise.reject(new SignerUnavailableError("the signer pool is closed")) : sign(input);
  return Object.freeze({
    alg: signer.alg,
    kid: signer.kid,
    publicJwk: signer.publicJwk,
    sign: guarded,
    signMany: (inputs: readonly Uint8Array[]) => Promise.all(inputs.map(guarded)),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  });
}

/** A thread's answer for one chunk: a signature per job, or the error that stopped it. */
interface SignedChunk {
  id: number;
  signatures?: Uint8Array[];
  error?: string;
}

/** Hands a thread's answer to the callers of its chunk; false when the chunk was already settled. */
function settle(slot: Slot, message: SignedChunk): boolean {
  const batch = slot.inFlight.get(message.id);
  if (batch === undefined) return false;
  slot.inFlight.delete(message.id);
  if (slot.inFlight.size === 0) slot.worker.unref();
  batch.forEach((pending, i) => {
    const signature = message.signatures?.[i];
    if (signature) pending.resolve(signature);
    else pending.reject(new Error(message.error ?? "the signing thread returned no signature"));
  });
  return true;
}

/** Fails every chunk a thread holds: the thread failed or exited. */
function rejectInFlight(slot: Slot, why: string): void {
  for (const batch of slot.inFlight.values()) {
    for (const pending of batch) pending.reject(new SignerUnavailableError(why));
  }
  slot.inFlight.clear();
}

function queuedOn(slot: Slot): number {
  let n = 0;
  for (const batch of slot.inFlight.values()) n += batch.length;
  return n;
}
