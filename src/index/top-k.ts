/** The k best (score, label) pairs seen, as a binary min-heap on score (ties: the higher label is worse). */
export class TopK {
  readonly scores: Float64Array;
  readonly labels: Int32Array;
  size = 0;

  constructor(readonly k: number) {
    this.scores = new Float64Array(k);
    this.labels = new Int32Array(k);
  }

  /** Whether (score, label) would enter: fewer than k are held, or it ranks above the worst held. */
  admits(score: number, label: number): boolean {
    if (this.size < this.k) return true;
    const worst = this.scores[0] as number;
    return score > worst || (score === worst && label < (this.labels[0] as number));
  }

  /** The score a passage must beat to enter; -Infinity until k passages are held. */
  get threshold(): number {
    return this.size < this.k ? Number.NEGATIVE_INFINITY : (this.scores[0] as number);
  }

  #worse(i: number, j: number): boolean {
    const a = this.scores[i] as number;
    const b = this.scores[j] as number;
    return a < b || (a === b && (this.labels[i] as number) > (this.labels[j] as number));
  }

  #swap(i: number, j: number): void {
    const s = this.scores[i] as number;
    this.scores[i] = this.scores[j] as number;
    this.scores[j] = s;
    const l = this.labels[i] as number;
    this.labels[i] = this.labels[j] as number;
    this.labels[j] = l;
  }

  /** Holds (score, label); once k are held, in place of the worst (call only when it {@link admits}). */
  push(score: number, label: number): void {
    if (this.size < this.k) {
      let i = this.size++;
      this.scores[i] = score;
      this.labels[i] = label;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.#worse(i, parent)) break;
        this.#swap(i, parent);
        i = parent;
      }
      return;
    }
    this.scores[0] = score;
    this.labels[0] = label;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < this.size && this.#worse(l, worst)) worst = l;
      if (r < this.size && this.#worse(r, worst)) worst = r;
      if (worst === i) break;
      this.#swap(i, worst);
      i = worst;
    }
  }
}
