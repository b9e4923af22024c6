/**
 * The contract every embedding model satisfies, whether built-in (static, built from the corpus)
 * or pretrained (e.g. Xenova/multilingual-e5-small) loaded through Transformers.js.
 */
export interface Embedder {
  /** Model id as configured, e.g. `builtin-static`. */
  readonly id: string;
  /** Output dimension of the unit vectors. */
  readonly dims: number;
  /** Hash of the model files in use; recorded in the index manifest to detect a changed model. */
  readonly fingerprint: string;
  /** Largest number of tokens (special tokens included) the model reads before truncating. */
  readonly maxTokens: number;
  /** Token count of `text` under the model's own tokenizer, special tokens included. */
  countTokens(text: string): number;
  /** Unit-length vector for a query (the model's query prefix applied). */
  embedQuery(text: string): Promise<Float32Array>;
  /** Unit-length vectors for passages (the model's passage prefix applied), in input order. */
  embedPassages(texts: readonly string[]): Promise<Float32Array[]>;
}
