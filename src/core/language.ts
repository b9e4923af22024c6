import type { Language } from './types.ts';

// Letters of the Kazakh Cyrillic alphabet that Russian lacks; one of them is enough to tell the two apart.
const KAZAKH_ONLY = /[әғқңөұүһіӘҒҚҢӨҰҮҺІ]/u;
const CYRILLIC = /\p{Script=Cyrillic}/gu;
const LATIN = /\p{Script=Latin}/gu;

/**
 * Language of a text by script: Latin → `en`, Cyrillic with a Kazakh-only letter → `kk`, other Cyrillic → `ru`.
 * Good enough for this corpus' three languages; `und` when the text has no letters of either script.
 */
export function detectLanguage(text: string): Language {
  const cyrillic = text.match(CYRILLIC)?.length ?? 0;
  const latin = text.match(LATIN)?.length ?? 0;
  if (cyrillic === 0 && latin === 0) return 'und';
  if (latin >= cyrillic) return 'en';
  return KAZAKH_ONLY.test(text) ? 'kk' : 'ru';
}
