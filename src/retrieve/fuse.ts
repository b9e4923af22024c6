/**
 * Reciprocal-rank fusion of the dense and lexical rankings. Ranks, not raw scores, are combined because
 * cosine and BM25 live on unrelated scales; RRF needs no calibration and is robust to one weak leg.
 */

export interface LegHit {
  label: number;
  score: number;
}

export interface FusedHit {
  label: number;
  fused: number;
  dense?: { rank: number; score: number };
  lexical?: { rank: number; score: number };
  sentence?: { rank: number; score: number };
}

export interface FuseOptions {
  /** RRF damping constant; 60 is the value from the original RRF paper and rarely worth changing. */
  k: number;
  denseWeight: number;
  lexicalWeight: number;
  sentenceWeight: number;
}

export const DEFAULT_FUSE_OPTIONS: FuseOptions = {
  k: 60,
  denseWeight: 1,
  lexicalWeight: 1,
  sentenceWeight: 1,
};

/** Fuses two best-first rankings into one, best first; ties broken by label for determinism. */
export function fuseRankings(
  dense: readonly LegHit[],
  lexical: readonly LegHit[],
  options: Partial<FuseOptions> = {},
  sentence: readonly LegHit[] = [],
): FusedHit[] {
  const { k, denseWeight, lexicalWeight, sentenceWeight } = { ...DEFAULT_FUSE_OPTIONS, ...options };
  const byLabel = new Map<number, FusedHit>();
  const entry = (label: number): FusedHit => {
    let hit = byLabel.get(label);
    if (!hit) {
      hit = { label, fused: 0 };
      byLabel.set(label, hit);
    }
    return hit;
  };
  dense.forEach((h, i) => {
    const hit = entry(h.label);
    hit.dense = { rank: i + 1, score: h.score };
    hit.fused += denseWeight / (k + i + 1);
  });
  lexical.forEach((h, i) => {
    const hit = entry(h.label);
    hit.lexical = { rank: i + 1, score: h.score };
    hit.fused += lexicalWeight / (k + i + 1);
  });
  sentence.forEach((h, i) => {
    const hit = entry(h.label);
    hit.sentence = { rank: i + 1, score: h.score };
    hit.fused += sentenceWeight / (k + i + 1);
  });
  return [...byLabel.values()].sort((a, b) => b.fused - a.fused || a.label - b.label);
}
