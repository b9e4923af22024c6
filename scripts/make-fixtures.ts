/**
 * Writes the document fixtures under tests/fixtures/documents/ (committed; rerun after changing this):
 * a two-column PDF with running headers, page numbers and hyphenated line breaks; a one-column PDF with
 * a running header; a scanned (image-only) PDF; an encrypted, a truncated and a mislabelled PDF; a DOCX
 * with headings, a list, a table and footnotes, and a damaged one; a saved web page with navigation,
 * scripts and boilerplate around the article. Usage: `npx tsx scripts/make-fixtures.ts`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import {
  AlignmentType,
  Document,
  FootnoteReferenceRun,
  HeadingLevel,
  LevelFormat,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
} from 'docx';
import JSZip from 'jszip';
import PDFDocument from 'pdfkit';

const OUT = join(import.meta.dirname, '..', 'tests', 'fixtures', 'documents');
const FIXED_DATE = new Date('2023-05-01T00:00:00Z');

type Block = { heading?: string; text: string };

/** The two-column article: about the 2022 constitutional reform and the mixed electoral system. */
const ARTICLE: { title: string; authors: string; blocks: Block[] } = {
  title: 'The Mixed Electoral System after the 2022 Constitutional Reform in Kazakhstan',
  authors: 'Aigerim Seitkali and Daniyar Omarov',
  blocks: [
    {
      heading: 'Abstract',
      text: 'This article examines how the constitutional amendments adopted at the referendum of June 2022 changed the rules for electing the Mazhilis. The return to a mixed electoral system, in which seventy percent of deputies are elected from party lists and thirty percent in single-member districts, is assessed against the goal of a more competitive parliament.',
    },
    {
      heading: 'Introduction',
      text: 'Parliamentary elections in Kazakhstan were held under a fully proportional system from 2007 to 2021. Critics argued that proportional representation with a seven percent threshold kept new parties out of parliament and weakened the link between deputies and voters. The amendments lowered the threshold to five percent and introduced single-member districts for a third of the seats.',
    },
    {
      text: 'The referendum of 5 June 2022 approved changes to a third of the articles of the Constitution. Among them, the reform of the electoral system was presented as a response to public demands for accountability after the January events of 2022.',
    },
    {
      heading: 'Single-member districts',
      text: 'Twenty-nine deputies of the Mazhilis are now elected in single-member territorial districts by simple plurality. Candidates may be nominated by parties or stand as self-nominated candidates, which opens the chamber to independent politicians with local support. The delimitation of districts is carried out by the Central Election Commission on the basis of population figures.',
    },
    {
      text: 'Observers noted that plurality voting in single-member districts tends to favour the largest party, so the overall effect on competitiveness depends on the number of credible independent candidates in each district.',
    },
    {
      heading: 'Party lists and the threshold',
      text: 'Sixty-nine deputies are elected from party lists in a single national constituency. The threshold was lowered from seven to five percent, and the option of voting against all was reintroduced on the ballot. Registration of new parties was simplified: the minimum membership required for registration fell from twenty thousand to five thousand members.',
    },
    {
      text: 'As a result, six parties entered the Mazhilis at the elections of 19 March 2023, compared with three parties in the previous convocation. The authors interpret this as a measurable, though limited, increase in parliamentary pluralism.',
    },
    {
      heading: 'Conclusion',
      text: 'The mixed electoral system combines party representation with personal accountability of district deputies. Its long-term effect will depend on the independence of election commissions, equal access to the media and the transparency of campaign financing.',
    },
  ],
};

/** Lays words into lines of at most `width`, hyphenating a long word that does not fit (≥ 4 letters per side). */
function wrap(doc: PDFKit.PDFDocument, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line ? `${line} ${word}` : word;
    if (doc.widthOfString(candidate) <= width) {
      line = candidate;
      continue;
    }
    const letters = /^[A-Za-z]+$/.test(word) && word.length >= 8;
    let split = 0;
    if (letters) {
      for (let k = word.length - 4; k >= 4; k--) {
        if (doc.widthOfString(`${line ? `${line} ` : ''}${word.slice(0, k)}-`) <= width) {
          split = k;
          break;
        }
      }
    }
    if (split > 0) {
      lines.push(`${line ? `${line} ` : ''}${word.slice(0, split)}-`);
      line = word.slice(split);
    } else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function pdfBytes(
  build: (doc: PDFKit.PDFDocument) => void,
  options: PDFKit.PDFDocumentOptions = {},
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    autoFirstPage: false,
    info: { CreationDate: FIXED_DATE },
    ...options,
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  build(doc);
  doc.end();
  return done;
}

/** Two columns, a running header and a page number on every page, hyphenated line ends. */
function twoColumnPdf(): Promise<Buffer> {
  return pdfBytes(
    (doc) => {
      // A5-like pages, so the short article runs over several pages.
      const columns = [36, 216];
      const columnWidth = 168;
      const top = 70;
      const bottom = 540;
      let page = 0;
      let column = 0;
      let y = top;
      const newPage = () => {
        doc.addPage();
        page++;
        doc
          .font('Times-Roman')
          .fontSize(7)
          .text('Kazakhstan Political Review · Vol. 3, No. 1 (2023)', 36, 30, { lineBreak: false });
        doc.text(`${page}`, 208, 565, { lineBreak: false });
        column = 0;
        y = top;
      };
      const nextColumn = () => {
        if (column === 0) {
          column = 1;
          y = page === 1 ? 150 : top;
        } else newPage();
      };
      newPage();
      doc.font('Times-Bold').fontSize(16);
      for (const line of wrap(doc, ARTICLE.title, 348)) {
        doc.text(line, 36, y, { lineBreak: false });
        y += 20;
      }
      doc
        .font('Times-Italic')
        .fontSize(10)
        .text(ARTICLE.authors, 36, y + 4, { lineBreak: false });
      y = 150;
      for (const block of ARTICLE.blocks) {
        if (block.heading) {
          if (y + 40 > bottom) nextColumn();
          y += 6;
          doc
            .font('Times-Bold')
            .fontSize(12)
            .text(block.heading, columns[column] ?? 36, y, { lineBreak: false });
          y += 18;
        }
        doc.font('Times-Roman').fontSize(9.5);
        for (const line of wrap(doc, block.text, columnWidth)) {
          if (y + 12 > bottom) nextColumn();
          doc.text(line, columns[column] ?? 36, y, { lineBreak: false });
          y += 11.5;
        }
        y += 9;
      }
    },
    {
      size: [420, 595],
      info: {
        CreationDate: FIXED_DATE,
        Title: ARTICLE.title,
        Author: ARTICLE.authors.replace(' and ', '; '),
        Subject: 'Kazakhstan Political Review',
      },
    },
  );
}

const NOTES = [
  'Lecture notes on the institutions of local self-government in Kazakhstan: maslikhats, akims and the budgets of rural districts.',
  'Since 2021 the akims of rural districts are elected directly by residents rather than appointed. The first direct elections of rural akims took place in July 2021 in more than seven hundred rural districts, and candidates could be nominated by parties or by self-nomination.',
  'Maslikhats are the local representative bodies. They approve the local budget and development programmes and can express no confidence in the akim by a two-thirds majority of deputies.',
  'The fourth level of the budget system, introduced in 2018 for rural districts with a population over two thousand people, gives rural akims their own revenues from property and land taxes.',
  'Critics of the reform point to the limited fiscal autonomy of rural districts, whose own revenues rarely cover more than a tenth of their expenditure, so that transfers from the district budget remain decisive.',
  'Further decentralisation is planned through the election of district and city akims, piloted in 2024 in several regions.',
];

/** One column with a running header and footer, several pages. */
function oneColumnPdf(): Promise<Buffer> {
  return pdfBytes((doc) => {
    let page = 0;
    let y = 0;
    const newPage = () => {
      doc.addPage();
      page++;
      doc
        .font('Helvetica')
        .fontSize(8)
        .text('Lecture notes: local self-government', 60, 36, { lineBreak: false });
      doc.text(`Page ${page}`, 500, 806, { lineBreak: false });
      y = 80;
    };
    newPage();
    doc
      .font('Helvetica-Bold')
      .fontSize(18)
      .text('Local Self-Government in Kazakhstan', 60, y, { lineBreak: false });
    y += 40;
    NOTES.forEach((paragraph, i) => {
      if (i === 3) newPage();
      doc.font('Helvetica').fontSize(11);
      for (const line of wrap(doc, paragraph, 300)) {
        doc.text(line, 60, y, { lineBreak: false });
        y += 14;
      }
      y += 10;
    });
  });
}

/** A grey "scan" with no text layer: a PNG drawn on the page, as a scanner would produce. */
function png(width: number, height: number): Buffer {
  const raw = Buffer.alloc((width + 1) * height);
  for (let r = 0; r < height; r++) {
    raw[r * (width + 1)] = 0;
    for (let c = 0; c < width; c++)
      raw[r * (width + 1) + 1 + c] = r % 12 < 2 && c > 10 && c < width - 10 ? 40 : 235;
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function scannedPdf(): Promise<Buffer> {
  const image = png(200, 280);
  return pdfBytes((doc) => {
    for (let i = 0; i < 2; i++) {
      doc.addPage();
      doc.image(image, 50, 50, { width: 495 });
    }
  });
}

function encryptedPdf(): Promise<Buffer> {
  return pdfBytes(
    (doc) => {
      doc.addPage();
      doc.fontSize(12).text('Confidential minutes of the election commission.', 60, 80);
    },
    { userPassword: 'secret', ownerPassword: 'owner', pdfVersion: '1.7' },
  );
}

async function articleDocx(): Promise<Buffer> {
  const p = (text: string) => new Paragraph({ children: [new TextRun(text)] });
  const cell = (text: string, bold = false) =>
    new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold })] })] });
  const doc = new Document({
    creator: 'Marat Yessenov',
    title: 'Digital Public Services and the eGov Portal in Kazakhstan',
    numbering: {
      config: [
        {
          reference: 'steps',
          levels: [{ level: 0, format: LevelFormat.DECIMAL, text: '%1.', alignment: AlignmentType.START }],
        },
      ],
    },
    footnotes: {
      1: { children: [p('The portal was launched in 2006 and moved to the egov.kz domain later.')] },
      2: { children: [p('Figures of the Ministry of Digital Development for 2022.')] },
    },
    sections: [
      {
        children: [
          new Paragraph({
            heading: HeadingLevel.TITLE,
            children: [new TextRun('Digital Public Services and the eGov Portal in Kazakhstan')],
          }),
          p('Marat Yessenov'),
          new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun('Introduction')] }),
          new Paragraph({
            children: [
              new TextRun(
                'The electronic government portal eGov.kz is the single window through which citizens of Kazakhstan receive public services online',
              ),
              new FootnoteReferenceRun(1),
              new TextRun(
                '. By 2022 more than nine hundred services were available, and about ninety percent of public services could be obtained without visiting an office.',
              ),
            ],
          }),
          new Paragraph({
            heading: HeadingLevel.HEADING_1,
            children: [new TextRun('How a service is requested')],
          }),
          p('A typical request through the portal follows three steps:'),
          new Paragraph({
            numbering: { reference: 'steps', level: 0 },
            children: [
              new TextRun(
                'the citizen signs in with an electronic digital signature or a one-time SMS password;',
              ),
            ],
          }),
          new Paragraph({
            numbering: { reference: 'steps', level: 0 },
            children: [new TextRun('the application form is filled in and the state fee is paid online;')],
          }),
          new Paragraph({
            numbering: { reference: 'steps', level: 0 },
            children: [new TextRun('the result arrives in the personal account as an electronic document.')],
          }),
          new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun('Usage of the portal')] }),
          new Paragraph({
            children: [
              new TextRun('Table 1. Registered users of eGov.kz by year'),
              new FootnoteReferenceRun(2),
            ],
          }),
          new Table({
            rows: [
              new TableRow({ children: [cell('Year', true), cell('Registered users, million', true)] }),
              new TableRow({ children: [cell('2018'), cell('7.9')] }),
              new TableRow({ children: [cell('2020'), cell('10.8')] }),
              new TableRow({ children: [cell('2022'), cell('13.2')] }),
            ],
          }),
          new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun('Conclusion')] }),
          p(
            'The digitalisation of public services reduced queues and petty corruption at service counters, but a digital divide remains between cities and rural districts with weak Internet access.',
          ),
        ],
      },
    ],
  });
  return withFixedDates(await Packer.toBuffer(doc));
}

/**
 * The `docx` package stamps the creation time into docProps/core.xml and every ZIP entry; pin both to
 * FIXED_DATE so the fixture is the same on every run (and its `dcterms:created` year is 2023).
 */
async function withFixedDates(bytes: Buffer): Promise<Buffer> {
  const zip = await JSZip.loadAsync(bytes);
  const core = await zip.file('docProps/core.xml')?.async('string');
  if (!core) throw new Error('docx wrote no docProps/core.xml');
  const stamp = FIXED_DATE.toISOString();
  zip.file(
    'docProps/core.xml',
    core.replace(/(<dcterms:(?:created|modified)[^>]*>)[^<]*/g, (_, open: string) => `${open}${stamp}`),
  );
  for (const entry of Object.values(zip.files)) entry.date = FIXED_DATE;
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

const ARTICLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Civil society councils | Policy Watch Central Asia</title>
<meta name="citation_title" content="Public Councils as a Channel between Citizens and the State in Kazakhstan">
<meta name="citation_author" content="Saule Nurlanova">
<meta name="citation_publication_date" content="2023/02/14">
<meta property="og:site_name" content="Policy Watch Central Asia">
<style>body { font-family: serif } .ad { color: red }</style>
<script>window.analytics = { track: function () { return 'tracking code that must not be indexed'; } };</script>
</head>
<body>
<header><a href="/">Policy Watch Central Asia</a> <nav><a href="/news">News</a> <a href="/about">About us</a> <a href="/subscribe">Subscribe to the newsletter</a></nav></header>
<aside class="ad">Advertisement: learn languages online with our partner school.</aside>
<main>
<article>
<h1>Public Councils as a Channel between Citizens and the State in Kazakhstan</h1>
<p class="byline">By Saule Nurlanova, 14 February 2023</p>
<p>Public councils were created in Kazakhstan by the law of 2015 on public councils. They operate at ministries, akimats of regions and cities, and other state bodies, and at least two thirds of their members represent civil society rather than the civil service.</p>
<h2>Powers of public councils</h2>
<p>A public council discusses draft normative legal acts and budget programmes, hears reports of the heads of state bodies and may recommend changes. Its recommendations are not binding, but the state body must answer them publicly within a fixed period.</p>
<p>Since 2021 the councils may also initiate public hearings on local development plans, which brought housing and transport disputes into the open.</p>
<h2>Limits and criticism</h2>
<p>Surveys show that few citizens know the public council of their region. Members are often selected by a working group formed by the same akimat they are supposed to oversee, which critics see as a weakness that undermines independence.</p>
<ul>
<li>low awareness among residents;</li>
<li>selection of members controlled by the state body;</li>
<li>non-binding recommendations.</li>
</ul>
<h2>Outlook</h2>
<p>The 2022 constitutional reform promised a "hearing state" that listens to citizens. Strengthening public councils, with open selection of members and binding answers, would be a practical step in that direction.</p>
</article>
</main>
<footer>© 2023 Policy Watch Central Asia. All rights reserved. <a href="/privacy">Privacy policy</a></footer>
<script>console.log('footer script');</script>
</body>
</html>
`;

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const twoColumn = await twoColumnPdf();
  const docx = await articleDocx();
  const files: Record<string, Uint8Array | string> = {
    'electoral-reform.pdf': twoColumn,
    'local-government-notes.pdf': await oneColumnPdf(),
    'public-councils.html': ARTICLE_HTML,
    'egov-services.docx': docx,
    'bad/scanned.pdf': await scannedPdf(),
    'bad/encrypted.pdf': await encryptedPdf(),
    'bad/truncated.pdf': twoColumn.subarray(0, Math.floor(twoColumn.length * 0.6)),
    'bad/mislabelled.pdf': ARTICLE_HTML,
    'bad/damaged.docx': docx.subarray(0, Math.floor(docx.length * 0.5)),
  };
  await mkdir(join(OUT, 'bad'), { recursive: true });
  for (const [name, data] of Object.entries(files)) {
    await writeFile(join(OUT, name), data);
    process.stdout.write(
      `${name}: ${typeof data === 'string' ? Buffer.byteLength(data) : data.length} bytes\n`,
    );
  }
}

await main();
