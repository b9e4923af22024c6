import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Document, Packer, Paragraph, TextRun } from 'docx';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../src/ingest/catalog.ts';
import { extractFile, sniffFormat } from '../../src/ingest/extract.ts';

const FIXTURES = 'tests/fixtures/documents';
const bytes = async (name: string) => new Uint8Array(await readFile(join(FIXTURES, name)));
const extract = async (name: string, maxBytes = 10_000_000) =>
  extractFile(name.replace(/^bad\//, ''), await bytes(name), { maxBytes });

describe('extractFile: PDF', () => {
  it('reads a two-column page column by column and re-joins words hyphenated at line ends', async () => {
    const file = await extract('electoral-reform.pdf');
    expect(file.format).toBe('pdf');
    // The abstract (left column) ends before the right column's text starts.
    const abstractEnd = file.text.indexOf('goal of a more competitive parliament.');
    expect(abstractEnd).toBeGreaterThan(0);
    expect(file.text.indexOf('## Introduction')).toBeGreaterThan(abstractEnd);
    expect(file.text).not.toMatch(/competi-|delimita-/);
    expect(file.text).toContain(
      'The delimitation of districts is carried out by the Central Election Commission',
    );
  });

  it('drops running headers and page numbers and records page boundaries', async () => {
    const file = await extract('electoral-reform.pdf');
    expect(file.text).not.toContain('Kazakhstan Political Review · Vol. 3');
    expect(file.text).not.toMatch(/^\d+$/m);
    const pages = file.pages ?? [];
    expect(pages.map((p) => p.label)).toEqual(['1', '2']);
    expect(pages[0]?.start).toBe(0);
    expect(pages[1]?.end).toBeLessThanOrEqual(file.text.length);
    const onPage2 = file.text.indexOf('convocation. The authors interpret this');
    expect(onPage2).toBeGreaterThanOrEqual(pages[1]?.start ?? Infinity);
  });

  it('turns larger type into headings and takes title and authors from the PDF info', async () => {
    const file = await extract('electoral-reform.pdf');
    expect(
      file.text.startsWith(
        '# The Mixed Electoral System after the 2022 Constitutional Reform in Kazakhstan\n',
      ),
    ).toBe(true);
    expect(file.text).toMatch(/^## Single-member districts$/m);
    expect(file.meta).toEqual({
      title: 'The Mixed Electoral System after the 2022 Constitutional Reform in Kazakhstan',
      authors: ['Aigerim Seitkali', 'Daniyar Omarov'],
      venue: 'Kazakhstan Political Review',
    });
  });

  it('drops a one-column running header with its page number on every page', async () => {
    const file = await extract('local-government-notes.pdf');
    expect(file.text).not.toMatch(/Lecture notes: local self-government|Page \d/);
    expect(file.pages?.length).toBe(2);
    expect(file.text.slice(file.pages?.[1]?.start, file.pages?.[1]?.end)).toMatch(
      /^The fourth level of the budget system/,
    );
  });
});

describe('extractFile: DOCX', () => {
  it('keeps headings, numbered lists, tables as tab-separated rows and footnotes', async () => {
    const file = await extract('egov-services.docx');
    expect(file.format).toBe('docx');
    expect(file.text).toMatch(/^# Digital Public Services and the eGov Portal in Kazakhstan$/m);
    expect(file.text).toMatch(/^## How a service is requested$/m);
    expect(file.text).toContain('1. the citizen signs in with an electronic digital signature');
    expect(file.text).toContain('3. the result arrives in the personal account');
    expect(file.text).toMatch(/^Year\tRegistered users, million\n2018\t7\.9$/m);
    expect(file.text).toMatch(/## Notes\n\n1\. The portal was launched in 2006/);
    expect(file.text).not.toContain('↑');
  });
});

/** A one-paragraph DOCX (no Title paragraph) whose docProps/core.xml is `core`, or has none. */
async function docxWithCore(core: string | undefined): Promise<Uint8Array> {
  const doc = new Document({
    sections: [
      {
        children: [
          new Paragraph({ children: [new TextRun('Akims of rural districts are elected since 2021.')] }),
        ],
      },
    ],
  });
  const zip = await JSZip.loadAsync(await Packer.toBuffer(doc));
  if (core === undefined) zip.remove('docProps/core.xml');
  else zip.file('docProps/core.xml', core);
  return zip.generateAsync({ type: 'uint8array' });
}

describe('extractFile: DOCX properties', () => {
  it('takes authors and year from the properties and leaves the title to the Title paragraph', async () => {
    const file = await extract('egov-services.docx');
    expect(file.meta).toEqual({ authors: ['Marat Yessenov'], year: 2023 });
    const [doc] = buildCatalog([file]);
    expect(doc).toMatchObject({
      title: 'Digital Public Services and the eGov Portal in Kazakhstan',
      authors: ['Marat Yessenov'],
      bibliography: { year: 2023 },
    });
  });

  it('takes the title from the properties when no paragraph has the Title style, whatever the prefixes', async () => {
    const core = `<?xml version="1.0" encoding="UTF-8"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:d="http://purl.org/dc/elements/1.1/" xmlns:t="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<d:title>Rural  Akim Elections &amp; Their Effects</d:title><d:creator>Aliya Bekova; Timur Sadykov</d:creator>
<t:created xsi:type="t:W3CDTF">2021-09-30T08:00:00Z</t:created></cp:coreProperties>`;
    const file = await extractFile('akims.docx', await docxWithCore(core), { maxBytes: 1_000_000 });
    expect(file.meta).toEqual({
      title: 'Rural Akim Elections & Their Effects',
      authors: ['Aliya Bekova', 'Timur Sadykov'],
      year: 2021,
    });
    expect(buildCatalog([file])[0]?.title).toBe('Rural Akim Elections & Their Effects');
  });

  it('ignores placeholder authors and a missing properties part', async () => {
    const placeholder = `<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Windows User</dc:creator></cp:coreProperties>`;
    const options = { maxBytes: 1_000_000 };
    expect((await extractFile('a.docx', await docxWithCore(placeholder), options)).meta).toEqual({});
    const bare = await extractFile('b.docx', await docxWithCore(undefined), options);
    expect(bare.meta).toEqual({});
    expect(bare.text).toContain('Akims of rural districts');
  });

  it('lets catalog.json override what the properties say', async () => {
    const file = await extract('egov-services.docx');
    const sidecar = {
      documents: [{ file: 'egov-services.docx', authors: ['M. Yessenov', 'A. Editor'], year: 2022 }],
    };
    const [doc] = buildCatalog([file], sidecar);
    expect(doc?.authors).toEqual(['M. Yessenov', 'A. Editor']);
    expect(doc?.bibliography?.year).toBe(2022);
  });
});

describe('extractFile: HTML', () => {
  it('keeps the article and its headings and drops navigation, scripts, styles, ads and footer', async () => {
    const file = await extract('public-councils.html');
    expect(file.format).toBe('html');
    expect(file.text).toMatch(
      /^# Public Councils as a Channel between Citizens and the State in Kazakhstan\n/,
    );
    expect(file.text).toMatch(/^## Limits and criticism$/m);
    expect(file.text).toContain('- selection of members controlled by the state body;');
    for (const noise of [
      'Subscribe',
      'tracking code',
      'Advertisement',
      'All rights reserved',
      'font-family',
    ]) {
      expect(file.text).not.toContain(noise);
    }
    expect(file.meta).toMatchObject({
      authors: ['Saule Nurlanova'],
      year: 2023,
      venue: 'Policy Watch Central Asia',
    });
  });
});

describe('extractFile: bad files', () => {
  it.each([
    ['bad/scanned.pdf', 'no-text', /no text layer.*OCR/],
    ['bad/encrypted.pdf', 'encrypted', /password/],
    ['bad/truncated.pdf', 'truncated', /end-of-file marker/],
    ['bad/mislabelled.pdf', 'mislabelled', /named as PDF but the content is HTML/],
    ['bad/damaged.docx', 'corrupt', /damaged/],
  ])('rejects %s as %s, naming the file', async (name, reason, message) => {
    const error = await extract(name).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DOCUMENT_REJECTED', details: { file: name.slice(4), reason } });
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a file over the size limit', async () => {
    await expect(extract('public-councils.html', 1000)).rejects.toMatchObject({
      details: { reason: 'too-large' },
    });
  });

  it('refuses a file whose content is not what its extension says', async () => {
    const pdf = await bytes('electoral-reform.pdf');
    await expect(extractFile('notes.txt', pdf, { maxBytes: 1e7 })).rejects.toMatchObject({
      details: { reason: 'mislabelled' },
    });
    await expect(
      extractFile('paper.docx', new TextEncoder().encode('plain words'), { maxBytes: 1e7 }),
    ).rejects.toThrow(/DOCX but the content is plain text/);
  });

  it('tells formats from content', async () => {
    expect(sniffFormat(await bytes('electoral-reform.pdf'))).toBe('pdf');
    expect(sniffFormat(await bytes('egov-services.docx'))).toBe('docx');
    expect(sniffFormat(await bytes('public-councils.html'))).toBe('html');
    expect(sniffFormat(new TextEncoder().encode('Заголовок\n\nтекст'))).toBe('text');
    expect(sniffFormat(new Uint8Array([0, 1, 2, 255]))).toBe('binary');
  });
});
