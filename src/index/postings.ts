/** The plain object MiniSearch serialises (`toJSON`, serialization version 2); only what scoring reads. */
export interface MiniSearchState {
  documentCount: number;
  documentIds: Record<string, number>;
  fieldIds: Record<string, number>;
  fieldLength: Record<string, number[]>;
  averageFieldLength: number[];
  index: Array<[string, Record<string, Record<string, number>>]>;
  serializationVersion: number;
}

/** One term's postings, ascending by label, with its term frequency in each field (0 when absent). */
export interface Postings {
  labels: Uint32Array;
  tf: Uint16Array[];
  /** Passages holding the term in each field (BM25's document frequency, per field as MiniSearch counts). */
  fieldDf: number[];
  /** Its unweighted BM25 in each field of each posting, filled on the term's first search. */
  raw?: Float64Array[];
}

/**
 * Everything BM25 reads of a corpus, in typed arrays: what MiniSearch's index holds for scoring, built
 * without MiniSearch, whose per-term maps of per-passage objects took most of a large build's memory.
 */
export interface BuiltPostings {
  fields: readonly string[];
  documentCount: number;
  /** Label of each passage in the order it was added (MiniSearch's short ids are these positions). */
  order: Uint32Array;
  /** Per field, by label: the passage's number of distinct terms in it (MiniSearch's "field length"). */
  fieldLength: Uint32Array[];
  /** Per field: the running mean MiniSearch keeps, computed with the same operations in the same order. */
  averageFieldLength: number[];
  terms: Map<string, Postings>;
}

/** A typed array that doubles when full: one term's postings while they are collected, a search's candidates. */
export class Growing<T extends Uint32Array | Uint16Array | Float64Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  done(): T {
    return this.data.slice(0, this.length) as T;
  }
}

interface Collecting {
  labels: Growing<Uint32Array>;
  tf: Array<Growing<Uint16Array>>;
  fieldDf: number[];
}

/**
 * Collects the postings of passages given one at a time (`add`, then `finish`), analysing each field with
 * `analyse`: the index MiniSearch would build from the same passages, field lengths and average included.
 */
export function collectPostings<D>(
  fields: readonly string[],
  fieldOf: (document: D, field: number) => string,
  labelOf: (document: D) => number,
  analyse: (text: string) => string[],
) {
  const terms = new Map<string, Collecting>();
  const order: number[] = [];
  const lengths: number[][] = fields.map(() => []);
  const averageFieldLength = fields.map(() => 0);
  const seen = new Set<number>();
  let sorted = true;
  const counts = new Map<string, number[]>();

  return {
    add(document: D): void {
      const label = labelOf(document);
      if (!Number.isInteger(label) || label < 0)
        throw new RangeError(`passage label ${label} is not an index`);
      if (seen.has(label)) throw new RangeError(`passage label ${label} given twice`);
      seen.add(label);
      if (order.length > 0 && label < (order.at(-1) as number)) sorted = false;
      const count = order.length;
      order.push(label);
      counts.clear();
      fields.forEach((_, f) => {
        const tokens = analyse(fieldOf(document, f));
        const unique = new Set(tokens).size;
        (lengths[f] as number[])[label] = unique;
        // MiniSearch's incremental mean, operation for operation (BM25 divides by it, so bits matter).
        averageFieldLength[f] = ((averageFieldLength[f] as number) * count + unique) / (count + 1);
        for (const token of tokens) {
          if (!token) continue;
          let row = counts.get(token);
          if (!row) {
            row = fields.map(() => 0);
            counts.set(token, row);
          }
          row[f] = (row[f] as number) + 1;
        }
      });
      for (const [term, row] of counts) {
        let p = terms.get(term);
        if (!p) {
          p = {
            labels: new Growing(new Uint32Array(4), (n) => new Uint32Array(n)),
            tf: fields.map(() => new Growing(new Uint16Array(4), (n) => new Uint16Array(n))),
            fieldDf: fields.map(() => 0),
          };
          terms.set(term, p);
        }
        p.labels.push(label);
        row.forEach((tf, f) => {
          (p.tf[f] as Growing<Uint16Array>).push(Math.min(tf, 0xffff));
          if (tf > 0) p.fieldDf[f] = (p.fieldDf[f] as number) + 1;
        });
      }
    },

    finish(): BuiltPostings {
      const size = order.reduce((m, l) => Math.max(m, l + 1), 0);
      const out = new Map<string, Postings>();
      for (const [term, p] of terms) {
        const labels = p.labels.done();
        const tf = p.tf.map((g) => g.done());
        out.set(term, sorted ? { labels, tf, fieldDf: p.fieldDf } : byLabel(labels, tf, p.fieldDf));
      }
      terms.clear();
      return {
        fields,
        documentCount: order.length,
        order: Uint32Array.from(order),
        fieldLength: lengths.map((l) => Uint32Array.from({ length: size }, (_, i) => l[i] ?? 0)),
        averageFieldLength,
        terms: out,
      };
    },
  };
}

/** Postings collected out of label order, sorted by label. */
function byLabel(labels: Uint32Array, tf: Uint16Array[], fieldDf: number[]): Postings {
  const idx = Array.from(labels.keys()).sort((a, b) => (labels[a] as number) - (labels[b] as number));
  return {
    labels: Uint32Array.from(idx, (i) => labels[i] as number),
    tf: tf.map((t) => Uint16Array.from(idx, (i) => t[i] as number)),
    fieldDf,
  };
}

/** The state MiniSearch's `toJSON` gives for the same passages: `lexical.json`, which loaders read. */
export function toMiniSearchState(built: BuiltPostings): MiniSearchState & Record<string, unknown> {
  const shortOf = new Map<number, number>();
  const documentIds: Record<string, number> = {};
  const fieldLength: Record<string, number[]> = {};
  built.order.forEach((label, short) => {
    shortOf.set(label, short);
    documentIds[short] = label;
    fieldLength[short] = built.fieldLength.map((l) => l[label] as number);
  });
  const index: MiniSearchState['index'] = [];
  for (const [term, p] of built.terms) {
    const data: Record<string, Record<string, number>> = {};
    p.tf.forEach((tfs, f) => {
      if (p.fieldDf[f] === 0) return;
      const freqs: Record<string, number> = {};
      tfs.forEach((tf, i) => {
        if (tf > 0) freqs[shortOf.get(p.labels[i] as number) as number] = tf;
      });
      data[f] = freqs;
    });
    index.push([term, data]);
  }
  return {
    documentCount: built.documentCount,
    nextId: built.documentCount,
    documentIds,
    fieldIds: Object.fromEntries(built.fields.map((f, i) => [f, i])),
    fieldLength,
    averageFieldLength: built.averageFieldLength,
    storedFields: {},
    dirtCount: 0,
    index,
    serializationVersion: 2,
  };
}
