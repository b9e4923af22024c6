import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.ts';

function sink(isTTY: boolean) {
  const lines: string[] = [];
  return { out: { isTTY, write: (s: string) => lines.push(s) }, lines };
}

describe('createProgress', () => {
  it('redraws a bar with rate and ETA on a terminal', () => {
    let t = 0;
    const { out, lines } = sink(true);
    const p = createProgress('embed', 100, out, () => t);
    t = 1000;
    p.update(50);
    expect(lines.at(-1)).toMatch(/^\rembed \[#{15}\.{15}\] 50\.0% 50\/100 50\/s ETA 1 s/);
  });

  it('writes a line every few seconds and at the end when not on a terminal', () => {
    let t = 0;
    const { out, lines } = sink(false);
    const p = createProgress('embed', 100, out, () => t);
    t = 1000;
    p.update(10);
    expect(lines).toHaveLength(0);
    t = 6000;
    p.update(60);
    expect(lines).toEqual(['embed: 60/100 (60.0%), 10/s, ETA 4 s\n']);
    p.update(100);
    p.finish();
    expect(lines.at(-1)).toMatch(/^embed: 100\/100 in 6\.0 s/);
  });
});
