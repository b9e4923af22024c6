import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { type FirstPassHelper, type FirstPassJob, firstPass, type KeepCandidate } from './first-pass.ts';
import { LexicalIndex } from './lexical.ts';
import type { LexicalSearch } from './search-index.ts';

/** Slots of the control block both threads read and write with Atomics. */
const JOB = 0; // bumped by the caller for each job; −1 stops the helper
const NEXT = 1; // the next range to claim
const DONE = 2; // set by the helper when its share is posted

/**
 * How long a search waits for the helper's share before doing the pass alone. A share is milliseconds of
 * work; this only guards against a helper that died or hung (it is then stopped for good).
 */
const HELPER_TIMEOUT_MS = 10_000;

/**
 * The helper's whole program, plain JavaScript evaluated in the thread (as hnsw-build.node.ts does): the
 * first pass is {@link firstPass}'s own source, so both threads run the same code. It sleeps in
 * `Atomics.wait` between jobs; a job's terms (once per term: shared labels and impacts) and parameters
 * arrive on a port it reads synchronously on waking, and its candidates leave on the same port before it
 * sets DONE.
 */
const PROGRAM = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const firstPass = (${firstPass.toString()});
const { control, port } = workerData;
const terms = [];
let seen = 0;
let sum, count;
for (;;) {
  Atomics.wait(control, ${JOB}, seen);
  seen = Atomics.load(control, ${JOB});
  if (seen < 0) break;
  // Messages in order up to this job's own (its last): a forget sent after the job waits for the next one.
  let job;
  while (!job) {
    const m = receiveMessageOnPort(port);
    if (!m) break;
    if (m.message.forget) terms.length = 0;
    else if (m.message.term !== undefined) terms[m.message.term] = m.message;
    else job = m.message;
  }
  try {
    if (!sum || sum.length !== job.rangeSize) {
      sum = new Float32Array(job.rangeSize);
      count = new Uint8Array(job.rangeSize);
    }
    const labels = job.terms.map((t) => terms[t].labels);
    const impacts = job.terms.map((t) => terms[t].impacts);
    let kept = new Uint32Array(256);
    let scores = new Float64Array(256);
    let n = 0;
    const ranges = Math.ceil(job.size / job.rangeSize);
    let share = 0;
    firstPass(labels, impacts, job.weights, job.k, job.band, job.size, job.rangeSize, () => {
      const r = Atomics.add(control, ${NEXT}, 1);
      if (r >= ranges) return -1;
      share++;
      return r;
    }, undefined, sum, count, (l, s) => {
      if (n === kept.length) {
        const k2 = new Uint32Array(n * 2); k2.set(kept); kept = k2;
        const s2 = new Float64Array(n * 2); s2.set(scores); scores = s2;
      }
      kept[n] = l; scores[n] = s; n++;
    });
    port.postMessage({ labels: kept.subarray(0, n), scores: scores.subarray(0, n), share });
  } catch (error) {
    port.postMessage({ error: String(error && error.stack || error) });
  }
  Atomics.store(control, ${DONE}, 1);
  Atomics.notify(control, ${DONE});
}
`;

/**
 * A helper thread for the lexical first pass (see {@link FirstPassHelper}). The postings it reads are the
 * caller's own, in shared memory (`Bm25Index.useHelper` moves them there term by term): the helper costs
 * a thread and its range accumulators (160 KiB), not a copy of the index. It takes one job at a time; a
 * search arriving while another is in its first pass runs alone.
 */
export class LexicalHelperThread implements FirstPassHelper {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #control = new Int32Array(new SharedArrayBuffer(3 * 4));
  /** Term slots the helper already holds, by the labels array sent for it. */
  #slots = new WeakMap<Uint32Array, number>();
  #nextSlot = 0;
  #ranges = 0;
  #busy = false;
  #stopped = false;
  /** Ranges the helper scored in the last search it finished (how much it took on). */
  lastShare = 0;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#worker = new Worker(PROGRAM, {
      eval: true,
      workerData: { control: this.#control, port: port2 },
      transferList: [port2],
    });
    // Neither the thread nor its port keeps the process alive; an error stops the helper for good.
    this.#worker.unref();
    this.#port.unref();
    this.#worker.on('error', () => {
      this.#stopped = true;
    });
  }

  begin(job: FirstPassJob): boolean {
    if (this.#busy || this.#stopped) return false;
    const terms = job.labels.map((labels, t) => {
      let slot = this.#slots.get(labels);
      if (slot === undefined) {
        slot = this.#nextSlot++;
        this.#slots.set(labels, slot);
        this.#port.postMessage({ term: slot, labels, impacts: job.impacts[t] });
      }
      return slot;
    });
    const { weights, k, band, size, rangeSize } = job;
    this.#port.postMessage({ terms, weights, k, band, size, rangeSize });
    this.#ranges = Math.ceil(size / rangeSize);
    this.#busy = true;
    Atomics.store(this.#control, NEXT, 0);
    Atomics.store(this.#control, DONE, 0);
    Atomics.add(this.#control, JOB, 1);
    Atomics.notify(this.#control, JOB);
    return true;
  }

  claim(): number {
    const r = Atomics.add(this.#control, NEXT, 1);
    return r < this.#ranges ? r : -1;
  }

  end(keep: KeepCandidate): boolean {
    const waited = Atomics.wait(this.#control, DONE, 0, HELPER_TIMEOUT_MS);
    this.#busy = false;
    const reply = waited === 'timed-out' ? undefined : receiveMessageOnPort(this.#port)?.message;
    if (!reply || reply.error !== undefined) {
      this.close();
      return false;
    }
    const { labels, scores, share } = reply as { labels: Uint32Array; scores: Float64Array; share: number };
    this.lastShare = share;
    for (let i = 0; i < labels.length; i++) keep(labels[i] as number, scores[i] as number);
    return true;
  }

  /**
   * Drops the terms the helper holds (an index swapped out): it holds each term's shared postings until
   * then. A search of any index sends its terms again.
   */
  forget(): void {
    this.#slots = new WeakMap();
    this.#nextSlot = 0;
    this.#port.postMessage({ forget: true });
  }

  /** Stops the thread; searches go on alone. */
  close(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    Atomics.store(this.#control, JOB, -1);
    Atomics.notify(this.#control, JOB);
    void this.#worker.terminate();
  }
}

let processHelper: LexicalHelperThread | undefined;

/**
 * Gives a served index's lexical leg the process's helper thread, when it is searched in memory and large
 * enough for the helper to pay (`HELPER_FROM` passages, bm25.ts); the thread is made on first need and serves each index given
 * after (`forget` drops the previous one's terms). With `enabled` false (LEXICAL_HELPER=off), nothing
 * changes. Returns the helper given, if any.
 */
export function shareFirstPass(lexical: LexicalSearch, enabled: boolean): LexicalHelperThread | undefined {
  if (!enabled || !(lexical instanceof LexicalIndex) || !lexical.wantsHelper) return undefined;
  processHelper ??= new LexicalHelperThread();
  processHelper.forget();
  lexical.useHelper(processHelper);
  return processHelper;
}
