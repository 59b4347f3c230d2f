import { generateSchema1, type ChainLayer, type GenerateResult } from "../manifest/generate-schema1.js";
import { createLayerCache } from "../manifest/layer-cache.js";
import type { Signer } from "../manifest/signer.js";
import { SignerUnavailableError } from "../signing/batch-signer.js";
import type { LegacyTag } from "./batch-input.js";
import type { BatchFacts } from "./load-batch.js";
import { chainLayers, planGeneratedTag, signingTimeOf, type ChainLayers } from "./plan-generated-tag.js";
import { asGeneratedByRun } from "./plan-own-manifest.js";
import { planStoredTag } from "./plan-stored-tag.js";
import { DATA_PULL_PROBLEMS } from "./pull-rule.js";
import type { ChainResolution } from "./resolve-chain.js";
import type { TagPlan } from "./tag-plan.js";

export interface PlanOptions {
  signer: Signer | undefined;
  libraryNamespace: string;
  manifestMaxBytes: number;
  force: boolean;
}

export interface PlannedBatch {
  plans: TagPlan[];
  planMs: number;
  /** Wall time of building and signing the generated manifests. */
  signMs: number;
}

/** How many manifests are built before the thread yields, so signing threads start on them. */
const YIELD_EVERY = 16;

/**
 * Plans every tag of the batch in id order; with `force`, mapped tags too, as if unmapped (the caller
 * compares those plans with the rows they have: reprocess). A tag whose planning throws is isolated as `failed`; only a
 * signer that stopped working fails the whole batch (its tags would fail for a reason not their own).
 */
export async function planBatch(facts: BatchFacts, options: PlanOptions): Promise<PlannedBatch> {
  const started = performance.now();
  const plans: (TagPlan | Promise<TagPlan>)[] = [];
  let generating = 0;
  let signMs = 0;
  const generate = generator(facts, options);
  for (const tag of facts.tags) {
    const early = unplannable(tag, facts, options.force);
    const resolution = facts.resolutions.get(tag.id);
    if (early !== undefined || resolution === undefined) {
      plans.push(early ?? failed(tag, "its image chain was not loaded"));
      continue;
    }
    try {
      const layers = resolution.ok ? chainLayers(resolution.chain) : undefined;
      if (tag.tagManifest !== null) {
        plans.push(planStored({ ...tag, tagManifest: tag.tagManifest }, resolution, layers, facts, generate));
        continue;
      }
      if (layers === undefined || !layers.ok) {
        plans.push(
          planGeneratedTag(tag, resolution, layers ?? { ok: true, layers: [], tarsum: false }, undefined),
        );
        continue;
      }
      const signStarted = performance.now();
      const generated = generate(tag, layers.layers, options.signer);
      plans.push(
        generated.then(
          (result) => {
            try {
              return planGeneratedTag(tag, resolution, layers, result);
            } catch (err) {
              return failed(tag, err);
            }
          },
          (err: unknown) => {
            if (err instanceof SignerUnavailableError) throw err;
            return failed(tag, err);
          },
        ),
      );
      signMs += performance.now() - signStarted;
      if (++generating % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    } catch (err) {
      plans.push(failed(tag, err));
    }
  }
  const waitStarted = performance.now();
  const settled = await Promise.all(plans.map((plan) => Promise.resolve(plan)));
  signMs += performance.now() - waitStarted;
  return { plans: settled, planMs: performance.now() - started - signMs, signMs };
}

type Generate = (tag: LegacyTag, layers: ChainLayer[], signer: Signer | undefined) => Promise<GenerateResult>;

/** The batch's manifest generator: the batch loads each image once, so its text is parsed once too. */
function generator(facts: BatchFacts, options: PlanOptions): Generate {
  const layerCache = facts.layerCache ?? createLayerCache();
  return (tag, layers, signer) =>
    generateSchema1({
      namespace: tag.namespace,
      repository: tag.repository,
      tag: tag.name,
      libraryNamespace: options.libraryNamespace,
      layers,
      existingImages: facts.repositoryImages.get(tag.repositoryId) ?? new Map<string, string>(),
      rewriteIds: true,
      maxBytes: options.manifestMaxBytes,
      signer,
      signingTime: signingTimeOf(tag),
      cache: layerCache,
    });
}

function failed(tag: LegacyTag, err: unknown): TagPlan {
  return {
    kind: "fail",
    tag,
    reason: "unexpected_error",
    detail: err instanceof Error ? err.message : String(err),
  };
}

/** The plan of a tag that is not planned from its chain: hidden, mapped, unreadable, or its facts failed. */
function unplannable(tag: LegacyTag, facts: BatchFacts, force: boolean): TagPlan | undefined {
  if (tag.hidden) return { kind: "skip", tag, reason: "hidden", detail: null };
  if (tag.mapped && !force) return { kind: "skip", tag, reason: "already_mapped", detail: null };
  const unreadable = facts.unreadable.get(tag.id);
  if (unreadable !== undefined) return { kind: "fail", tag, reason: "unreadable_row", detail: unreadable };
  const error = facts.errors.get(tag.id);
  return error === undefined ? undefined : failed(tag, error);
}

/**
 * A tag with a stored tag manifest. Under reprocess a mapped tag's tag manifest may be the one its run
 * generated (asGeneratedByRun): the chain's manifest is generated to compare, unsigned (only the payload's
 * digest is compared). Whatever goes wrong there, the tag is planned as stored.
 */
function planStored(
  tag: LegacyTag & { tagManifest: NonNullable<LegacyTag["tagManifest"]> },
  resolution: ChainResolution,
  layers: ChainLayers | undefined,
  facts: BatchFacts,
  generate: Generate,
): TagPlan | Promise<TagPlan> {
  const stored = facts.stored.get(tag.id) ?? { ok: false, detail: "not read" };
  const blobs = facts.repositoryBlobs.get(tag.repositoryId) ?? new Map<string, number>();
  const labels = facts.labels.get(tag.tagManifest.id) ?? [];
  const plan = planStoredTag(tag, resolution, stored, blobs, labels);
  // A run's own manifest is signed and valid: a stored one that is not (unsigned, a bad signature) is
  // stored data even with the generator's payload, and stays `stored_not_pullable`.
  const signedAndValid = stored.ok && stored.problems.every((code) => DATA_PULL_PROBLEMS.has(code));
  if (!tag.mapped || !signedAndValid || layers?.ok !== true) return plan;
  return generate(tag, layers.layers, undefined)
    .then((result) => asGeneratedByRun(plan, planGeneratedTag(tag, resolution, layers, result)))
    .catch(() => plan);
}
