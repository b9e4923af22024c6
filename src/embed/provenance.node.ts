import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { WheelMember } from './pretrained.ts';

export const PROVENANCE_FILE = 'provenance.json';

/** What `provenance.json` records beside an installed model. */
export interface Provenance {
  id: string;
  upstream: string;
  upstreamLicence: string;
  description: string;
  sources: WheelMember[];
  converter: { script: string; sha256: string; toolchain: string[] };
  /** SHA-256 and size of every file of the model directory (this file excepted). */
  files: Record<string, { sha256: string; bytes: number }>;
  verification: {
    reference: string;
    probes: number;
    minCosine: { float32: number; int8: number };
    required: { float32: number; int8: number };
  };
  installedAt: string;
}

/** The provenance of an installed model when every file it lists is present with its recorded size. */
export async function readInstalled(dir: string): Promise<Provenance | undefined> {
  let provenance: Provenance;
  try {
    provenance = JSON.parse(await readFile(join(dir, PROVENANCE_FILE), 'utf8')) as Provenance;
  } catch {
    return undefined;
  }
  for (const [file, { bytes }] of Object.entries(provenance.files ?? {})) {
    const size = await stat(join(dir, file)).then(
      (s) => s.size,
      () => -1,
    );
    if (size !== bytes) return undefined;
  }
  return provenance;
}
