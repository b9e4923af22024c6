// Type of the one Transformers.js 2.x internal module we touch (src/embed/prefix-set.node.ts).
declare module '@xenova/transformers/src/utils/data-structures.js' {
  export class CharTrie {
    extend(texts: string[]): void;
    commonPrefixSearch(text: string): Generator<string>;
    push(text: string): void;
  }
}
