import { isJsonObject, type JsonValue } from "./json-value.js";
import type { LayerVerdict } from "./pull-check.js";
import { JsonSyntaxError } from "./python-json-parser.js";
import { quotedPythonLength, quotePythonString } from "./python-json-writer.js";
import { claimedV1Id, storableText } from "./v1-id-rules.js";
import { parseV1Summary } from "./v1-summary.js";

/** What one stored v1 JSON text yields on its own, whatever tag's chain it appears in. */
interface LayerEntry {
  /** parseV1Summary's value, or the syntax error it threw. */
  summary: JsonValue;
  error: JsonSyntaxError | undefined;
  quoted: string | undefined;
  quotedLength: number | undefined;
  verdict: LayerVerdict | undefined;
}

// A quoted copy is as large as its text; past these the text is quoted again for each tag instead, so that
// a batch of huge metadata does not hold it twice (the deployed heap is small).
const MAX_QUOTED_TEXT = 65_536;
const MAX_QUOTED_TOTAL = 8_388_608;
const NON_JSON_LITERAL = /NaN|Infinity/;

/**
 * Per-batch memo of the per-layer work of generateSchema1: tags of a batch share most of their image
 * chains, and the batch passes the same v1 JSON string for a shared image, so each text is parsed,
 * escaped and pull-checked once. Keyed by content, so results are what an uncached call would compute.
 * Only texts the chain parse registered (the batch's stored metadata) are kept: texts made per tag
 * (rewritten ids, stripped metadata) are computed each time, so the cache never outgrows the images the
 * batch loaded. Create one per batch with createLayerCache and drop it with the batch.
 */
export class LayerCache {
  readonly #entries = new Map<string, LayerEntry>();
  readonly #blobSums = new Map<string, string>();
  #quotedChars = 0;

  /**
   * parseV1Summary(text), parsed once per distinct text; throws its JsonSyntaxError. The value is shared
   * between tags: callers must not mutate it.
   */
  summary(text: string): JsonValue {
    let entry = this.#entries.get(text);
    if (entry === undefined) {
      entry = {
        summary: null,
        error: undefined,
        quoted: undefined,
        quotedLength: undefined,
        verdict: undefined,
      };
      try {
        entry.summary = parseV1Summary(text);
      } catch (err) {
        if (!(err instanceof JsonSyntaxError)) throw err;
        entry.error = err;
      }
      this.#entries.set(text, entry);
    }
    if (entry.error !== undefined) throw entry.error;
    return entry.summary;
  }

  /**
   * claimedV1Id(text) from the summary, which the manifest core needs anyway: the text is parsed once per
   * batch, not once for the id and again for the manifest. JSON.parse and Python read the same texts
   * alike but for NaN and Infinity, which Python accepts: a text naming them (or that Python refuses)
   * is read by claimedV1Id itself.
   */
  claimedId(text: string | null): string | undefined {
    if (text === null) return undefined;
    let summary: JsonValue;
    try {
      summary = this.summary(text);
    } catch (err) {
      if (!(err instanceof JsonSyntaxError)) throw err;
      return claimedV1Id(text);
    }
    if (NON_JSON_LITERAL.test(text)) return claimedV1Id(text);
    const id = isJsonObject(summary) ? summary.get("id") : undefined;
    return typeof id === "string" && storableText(id) ? id : undefined;
  }

  /** quotePythonString(text), memoised for a registered text. */
  quote(text: string): string {
    const entry = this.#entries.get(text);
    if (entry === undefined) return quotePythonString(text);
    if (entry.quoted !== undefined) return entry.quoted;
    const quoted = quotePythonString(text);
    if (text.length <= MAX_QUOTED_TEXT && this.#quotedChars + quoted.length <= MAX_QUOTED_TOTAL) {
      entry.quoted = quoted;
      this.#quotedChars += quoted.length;
    }
    return quoted;
  }

  /** quotedPythonLength(text), memoised for a registered text (texts too large to keep quoted, too). */
  quotedLength(text: string): number {
    const entry = this.#entries.get(text);
    if (entry === undefined) return quotedPythonLength(text);
    entry.quotedLength ??= entry.quoted?.length ?? quotedPythonLength(text);
    return entry.quotedLength;
  }

  /** quotePythonString(blobSum): checksums come from the batch's storage rows, however a tag's text is made. */
  quoteBlobSum(blobSum: string): string {
    let quoted = this.#blobSums.get(blobSum);
    if (quoted === undefined) {
      quoted = quotePythonString(blobSum);
      this.#blobSums.set(blobSum, quoted);
    }
    return quoted;
  }

  /** The pull check's verdict on a text's metadata alone, memoised for a registered text. */
  verdict(text: string, compute: () => LayerVerdict): LayerVerdict {
    const entry = this.#entries.get(text);
    if (entry === undefined) return compute();
    entry.verdict ??= compute();
    return entry.verdict;
  }
}

export function createLayerCache(): LayerCache {
  return new LayerCache();
}
