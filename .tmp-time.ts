import { openTestIndex } from './tests/setup/test-index.ts';
let t = performance.now();
await openTestIndex();
console.log('file open', performance.now() - t);
