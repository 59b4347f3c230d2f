import { generateKeyPairSync } from "node:crypto";
import { loadBatch } from "../backfill/load-batch.js";
import { planBatch } from "../backfill/plan-batch.js";
import { NotFoundError } from "../errors.js";
import { createSigner, type Signer } from "../manifest/signer.js";
import type { ExplainSource } from "./explain-source.js";
import { explainTag, type ExplainReport } from "./explain-tag.js";
import type { FoundTag, TagRef } from "./tag-lookup.js";

export interface ExplainOptions {
  signer: Signer | undefined;
  libraryNamespace: string;
  manifestMaxBytes: number;
  showManifest: boolean;
  nowTs: number;
}

/**
 * Everything `explain` shows, read in one READ ONLY transaction (so it cannot write, whatever a loader
 * does) and planned by the batch core's own planner. Without the operator's key a throwaway one signs:
 * digest and size are a real run's, the signature bytes are not.
 */
export async function buildExplainReport(
  source: ExplainSource,
  ref: TagRef,
  options: ExplainOptions,
): Promise<ExplainReport> {
  return source.readOnly(async (reads) => {
    const lookup = await reads.findTag(ref, options.nowTs);
    if (!lookup.found) throw new NotFoundError(`${lookup.missing}; check the name or use --tag-id`);
    const found = lookup.tag;
    // The batch core's own load, for this one tag whatever its state.
    const facts = await loadBatch(reads.batch, { lo: found.id, hi: found.id, tagIds: [found.id] }, "explain");
    const tag = facts.tags[0];
    if (tag === undefined) throw new Error(`repositorytag ${found.id} disappeared`);
    const notes: string[] = [];
    let signer = options.signer;
    if (signer === undefined) {
      signer = createSigner(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);
      notes.push(
        "BACKFILL_SIGNING_KEY_FILE is not set: a throwaway RSA key signed the planned manifest (digest and size as a real run with a 2048-bit RSA key; signature bytes differ)",
      );
    }
    const { plans } = await planBatch(facts, {
      signer,
      libraryNamespace: options.libraryNamespace,
      manifestMaxBytes: options.manifestMaxBytes,
      force: false,
    });
    const plan = plans[0];
    if (plan === undefined) throw new Error(`the planner returned nothing for tag ${found.id}`);
    const mapped = tag.mapped ? await reads.loadMappedTag(found.id) : undefined;
    const manifestId = mapped?.manifest?.id;
    const writtenManifest = manifestId === undefined ? null : await reads.loadWrittenManifest(manifestId);
    return explainTag({
      tag,
      picked: pickedNote(found, "id" in ref),
      alive: found.alive,
      facts,
      plan,
      mapped: mapped ?? null,
      writtenManifest,
      showManifest: options.showManifest,
      notes,
    });
  });
}

function pickedNote(found: FoundTag, byId: boolean): string | null {
  if (found.sameName <= 1) return null;
  if (byId) return `${found.sameName} repositorytag rows carry this name; this is #${found.id}`;
  return found.alive
    ? `picked the live row #${found.id} of ${found.sameName} with this name (the others ended); use --tag-id for another`
    : `no live row: picked the most recent #${found.id} of ${found.sameName} with this name; use --tag-id for another`;
}
