/**
 * Our documents (the year-end summary, the activity ledger) as Word documents, in the page setup of
 * ./page (GB/T 9704-2012): this module lays out the blocks of shared/document — tables, forms,
 * charts, photos, highlighted placeholders — and nothing of the page. Photos go in as placeholders
 * that ./packMedia replaces by the files, so no photo is held in memory here.
 */

import { inflateRawSync } from 'node:zlib';
import {
  AlignmentType,
  BorderStyle,
  HeightRule,
  HighlightColor,
  ImageRun,
  LineRuleType,
  PageBreak,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
} from 'docx';
import type { ChartKind } from '../../shared/charts';
import type { PhotoRef, ReportBlock, ReportDocument, ReportRun } from '../../shared/document';
import { reportTitle } from '../../shared/report';
import type { ChartPicture } from '../charts/render';
import { entryData, zipEntries } from '../workbook/zip';
import {
  type PackageEntry,
  packageEntries,
  photoPlaceholder,
  placeholderIndex,
  textEntry,
} from './packMedia';
import { gbDocument, INDENT, packGbDocument, STYLE, styled, THIN, TYPE_AREA } from './page';

/** Runs of a paragraph: the style gives the font; placeholders are highlighted for staff. */
function runs(items: ReportRun[]): TextRun[] {
  return items.map((run) =>
    run.placeholder
      ? new TextRun({ text: run.text, highlight: HighlightColor.YELLOW })
      : new TextRun(run.text),
  );
}

function table(block: Extract<ReportBlock, { type: 'table' }>): Table {
  const total = block.widths.reduce((a, b) => a + b, 0);
  const widths = block.widths.map((w) => Math.floor((TYPE_AREA * w) / total));
  const cell = (value: string, column: number, header: boolean) =>
    new TableCell({
      width: { size: widths[column] ?? 0, type: WidthType.DXA },
      children: [
        header
          ? styled(STYLE.cellHead, value)
          : styled(
              STYLE.cell,
              value,
              block.numeric.includes(column) ? { alignment: AlignmentType.RIGHT } : {},
            ),
      ],
    });
  return new Table({
    width: { size: TYPE_AREA, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    margins: { left: 60, right: 60, top: 30, bottom: 30 },
    borders: GRID,
    rows: [
      new TableRow({
        tableHeader: true,
        children: block.header.map((text, i) => cell(text, i, true)),
      }),
      ...block.rows.map(
        (row) => new TableRow({ cantSplit: true, children: row.map((text, i) => cell(text, i, false)) }),
      ),
    ],
  });
}

function chart(picture: ChartPicture): Paragraph {
  // Scaled to the type area's width, keeping the aspect ratio (docx sizes images in pixels at 96 dpi).
  const width = Math.round((TYPE_AREA / 1440) * 96);
  const height = Math.round((width * picture.height) / picture.width);
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    // An exact line height would clip the picture to one line.
    spacing: { line: 240, lineRule: LineRuleType.AUTO, before: 120, after: 0 },
    keepNext: true,
    children: [new ImageRun({ type: 'png', data: picture.png, transformation: { width, height } })],
  });
}

/** A photo file found for a {@link PhotoRef}, with its size in pixels (for the aspect ratio). */
export interface PhotoFile {
  path: string;
  width: number;
  height: number;
}

/** The photo files found, by {@link photoKey}; a photo not found is left out with its caption. */
export type PhotoFiles = ReadonlyMap<string, PhotoFile>;

/** The key of a photo in {@link PhotoFiles}. */
export const photoKey = (activityId: string, file: string) => `${activityId}/${file}`;

/** What blocks are laid out with; `media` collects the photo files in placeholder order. */
interface Layout {
  charts: Partial<Record<ChartKind, ChartPicture>>;
  photos: PhotoFiles;
  media: string[];
}

/** Picture sizes in docx's pixels (96 dpi): 1 mm is 96 / 25.4 px. */
const px = (twips: number) => Math.round((twips / 1440) * 96);

/**
 * Two photos a row fit the type area's halves, no taller than 64 mm, so a 活动记录表 and a row of
 * photos share a page; a photo alone (the summary's) may take 70 % of the width and 80 mm.
 */
const PHOTO_BOX = {
  1: { width: px(TYPE_AREA * 0.7), height: px((80 * 1440) / 25.4) },
  2: { width: px(TYPE_AREA / 2 - 240), height: px((64 * 1440) / 25.4) },
} as const;

function photoCell(ref: PhotoRef, columns: 1 | 2, layout: Layout): Paragraph[] {
  const file = layout.photos.get(photoKey(ref.activityId, ref.file));
  if (!file) return [];
  const box = PHOTO_BOX[columns];
  const scale = Math.min(box.width / file.width, box.height / file.height);
  const transformation = { width: Math.round(file.width * scale), height: Math.round(file.height * scale) };
  const index = layout.media.push(file.path) - 1;
  return [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { line: 240, lineRule: LineRuleType.AUTO, before: 120, after: 0 },
      // A photo alone keeps with its caption below it; in a table the row (cantSplit) does that,
      // and a kept-with-next cell would drag all rows of photos onto the next page together.
      keepNext: columns === 1,
      children: [new ImageRun({ type: 'jpg', data: photoPlaceholder(index), transformation })],
    }),
    styled(STYLE.cell, ref.caption, { alignment: AlignmentType.CENTER, keepLines: true }),
  ];
}

const NO_BORDER = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };

/** One border on every side of a table and between its cells. */
function allSides<T>(border: T) {
  return {
    top: border,
    bottom: border,
    left: border,
    right: border,
    insideHorizontal: border,
    insideVertical: border,
  };
}

/** The ruled tables' lines: thin, everywhere. */
const GRID = allSides(THIN);

function photos(block: Extract<ReportBlock, { type: 'photos' }>, layout: Layout): (Paragraph | Table)[] {
  if (block.columns === 1) return block.photos.flatMap((ref) => photoCell(ref, 1, layout));
  const cells = block.photos.map((ref) => photoCell(ref, 2, layout)).filter((cell) => cell.length > 0);
  if (cells.length === 0) return [];
  const half = Math.floor(TYPE_AREA / 2);
  const rows: TableRow[] = [];
  for (let i = 0; i < cells.length; i += 2) {
    const pair = [cells[i] ?? [], cells[i + 1] ?? [new Paragraph({ style: STYLE.cell })]];
    rows.push(
      new TableRow({
        cantSplit: true,
        children: pair.map(
          // Bottom-aligned: the captions of a landscape and a portrait photo share a line.
          (children) =>
            new TableCell({
              width: { size: half, type: WidthType.DXA },
              verticalAlign: VerticalAlign.BOTTOM,
              children,
            }),
        ),
      }),
    );
  }
  return [
    new Table({
      width: { size: half * 2, type: WidthType.DXA },
      columnWidths: [half, half],
      layout: TableLayoutType.FIXED,
      borders: allSides(NO_BORDER),
      rows,
    }),
  ];
}

/**
 * A 活动记录表: label cells in 黑体, values in the table font; two half fields share a row, the
 * others span it. Every row keeps with the next, so the form and its first row of photos share a
 * page where they fit (Word and LibreOffice drop the rule where they do not).
 */
function record(block: Extract<ReportBlock, { type: 'record' }>): (Paragraph | Table)[] {
  const widths = [2.8, 4.2, 2.8, 4.2].map((w) => Math.floor((TYPE_AREA * w) / 14));
  const label = (text: string) =>
    new TableCell({
      width: { size: widths[0] ?? 0, type: WidthType.DXA },
      verticalAlign: VerticalAlign.CENTER,
      children: [styled(STYLE.cellHead, text, { keepNext: true })],
    });
  const value = (text: string, span: 1 | 3, tall = false) =>
    new TableCell({
      width: { size: span === 1 ? (widths[1] ?? 0) : TYPE_AREA - (widths[0] ?? 0), type: WidthType.DXA },
      columnSpan: span,
      verticalAlign: tall ? VerticalAlign.TOP : VerticalAlign.CENTER,
      children: [styled(STYLE.cell, text, { keepNext: true })],
    });
  const rows: TableRow[] = [];
  for (let i = 0; i < block.fields.length; i++) {
    const field = block.fields[i];
    if (!field) continue;
    const next = block.fields[i + 1];
    const height = { value: field.tall ? 2400 : 520, rule: HeightRule.ATLEAST };
    if (field.half && next?.half) {
      rows.push(
        new TableRow({
          cantSplit: true,
          height,
          children: [label(field.label), value(field.value, 1), label(next.label), value(next.value, 1)],
        }),
      );
      i++;
    } else {
      rows.push(
        new TableRow({
          cantSplit: true,
          height,
          children: [label(field.label), value(field.value, 3, field.tall)],
        }),
      );
    }
  }
  return [
    styled(STYLE.caption, block.caption, { pageBreakBefore: true }),
    new Table({
      width: { size: TYPE_AREA, type: WidthType.DXA },
      columnWidths: widths,
      layout: TableLayoutType.FIXED,
      margins: { left: 80, right: 80, top: 40, bottom: 40 },
      borders: GRID,
      rows,
    }),
    // Two tables in a row are read as one by Word and LibreOffice (the photos' borderless one
    // would take this one's borders away): a small paragraph keeps them apart.
    new Paragraph({
      style: STYLE.cell,
      keepNext: true,
      spacing: { line: 120, lineRule: LineRuleType.EXACT },
    }),
  ];
}

function blockElements(block: ReportBlock, layout: Layout): (Paragraph | Table)[] {
  switch (block.type) {
    case 'heading':
      return [styled(block.level === 1 ? STYLE.heading1 : STYLE.heading2, block.text)];
    case 'paragraph':
      return [
        new Paragraph({
          style: STYLE.body,
          ...(block.align === 'right'
            ? { alignment: AlignmentType.RIGHT, indent: { firstLine: 0, right: INDENT * 2 } }
            : block.align === 'center'
              ? { alignment: AlignmentType.CENTER, indent: { firstLine: 0 } }
              : {}),
          children: runs(block.runs),
        }),
      ];
    case 'table':
      return [styled(STYLE.caption, block.caption), table(block), new Paragraph({ style: STYLE.body })];
    case 'chart': {
      const picture = layout.charts[block.chart];
      return picture ? [chart(picture), styled(STYLE.caption, block.caption)] : [];
    }
    case 'record':
      return record(block);
    case 'photos':
      return photos(block, layout);
    case 'pageBreak':
      return [new Paragraph({ children: [new PageBreak()] })];
  }
}

/**
 * Blocks laid out by one `docx` Document. The library holds a whole document's objects and XML
 * tree at once and its cost grows faster than the document (a ledger of 1,000 records: 17 s and
 * 400 MB in one piece), so the records after a document's head are laid out in pieces of this
 * many blocks, and the pieces' bodies are joined into the head's document.
 */
const PIECE_BLOCKS = 60;
const BODY_MARKER = '@@gongjian-records@@';
const IMAGE_RELATIONSHIP = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/image';

/** A zip part as text (the library's small packages only). */
function partText(packed: Buffer, name: string): string {
  const entry = zipEntries(packed).get(name);
  if (!entry) throw new Error(`${name} is not in the package`);
  const data = entryData(packed, entry);
  return (entry.method === 0 ? data : inflateRawSync(data)).toString('utf8');
}

/**
 * The body of a piece's document, its pictures pointing at relationships named after their photo
 * (`rIdGjPhoto7` → `media/gj-photo-7.jpg`), which the joined document declares once for all.
 */
function pieceBody(packed: Buffer): string {
  const xml = partText(packed, 'word/document.xml');
  const rels = partText(packed, 'word/_rels/document.xml.rels');
  const renamed = new Map<string, string>();
  for (const [relationship] of rels.matchAll(/<Relationship [^>]*\/>/g)) {
    const id = /Id="([^"]+)"/.exec(relationship)?.[1];
    const target = /Target="media\/([^"]+)"/.exec(relationship)?.[1];
    if (id === undefined || target === undefined) continue;
    const entry = zipEntries(packed).get(`word/media/${target}`);
    const data = entry ? entryData(packed, entry) : undefined;
    const index =
      entry && data ? placeholderIndex(entry.method === 0 ? data : inflateRawSync(data)) : undefined;
    if (index !== undefined) renamed.set(id, `rIdGjPhoto${index}`);
  }
  const start = xml.indexOf('<w:body>') + '<w:body>'.length;
  const end = xml.lastIndexOf('<w:sectPr');
  return xml.slice(start, end).replace(/r:embed="([^"]+)"/g, (all, id: string) => {
    const photo = renamed.get(id);
    return photo === undefined ? all : `r:embed="${photo}"`;
  });
}

/**
 * Lays a document out in the page setup of ./page and packs it as package entries; each photo is a
 * file entry that ./packMedia streams in when the package is written.
 */
export async function packReportDocx(
  doc: ReportDocument,
  charts: Partial<Record<ChartKind, ChartPicture>> = {},
  photos: PhotoFiles = new Map(),
): Promise<{ entries: PackageEntry[]; photos: number }> {
  const layout: Layout = { charts, photos, media: [] };
  const first = doc.blocks.findIndex((block) => block.type === 'record');
  const head = first < 0 ? doc.blocks : doc.blocks.slice(0, first);
  const records = first < 0 ? [] : doc.blocks.slice(first);
  const title = new Paragraph({ style: STYLE.title, children: runs(doc.title) });
  const body = [title, ...head.flatMap((block) => blockElements(block, layout))];
  if (records.length === 0) {
    const packed = await packGbDocument(gbDocument(reportTitle(doc), body));
    return { entries: packageEntries(packed, layout.media), photos: layout.media.length };
  }
  const marker = new Paragraph({ children: [new TextRun(BODY_MARKER)] });
  const skeleton = await packGbDocument(gbDocument(reportTitle(doc), [...body, marker]));
  const headPhotos = layout.media.length;
  const pieces: string[] = [];
  for (let i = 0; i < records.length; i += PIECE_BLOCKS) {
    const elements = records.slice(i, i + PIECE_BLOCKS).flatMap((block) => blockElements(block, layout));
    pieces.push(pieceBody(await packGbDocument(gbDocument('', elements))));
  }
  let xml = partText(skeleton, 'word/document.xml');
  const at = xml.indexOf(BODY_MARKER);
  const from = Math.max(xml.lastIndexOf('<w:p>', at), xml.lastIndexOf('<w:p ', at));
  const to = xml.indexOf('</w:p>', at) + '</w:p>'.length;
  xml = xml.slice(0, from) + pieces.join('') + xml.slice(to);
  // Each piece numbered its drawings from 1; Word wants every drawing's id unique.
  let drawing = 0;
  xml = xml.replace(/<wp:docPr id="\d+"/g, () => `<wp:docPr id="${++drawing}"`);
  const photoIndexes = layout.media.map((_, i) => i).slice(headPhotos);
  const rels = partText(skeleton, 'word/_rels/document.xml.rels').replace(
    '</Relationships>',
    `${photoIndexes
      .map(
        (i) =>
          `<Relationship Id="rIdGjPhoto${i}" Type="${IMAGE_RELATIONSHIP}" Target="media/gj-photo-${i}.jpg"/>`,
      )
      .join('')}</Relationships>`,
  );
  let types = partText(skeleton, '[Content_Types].xml');
  if (!/<Default Extension="jpg"/.test(types)) {
    types = types.replace('<Default ', '<Default Extension="jpg" ContentType="image/jpeg"/><Default ');
  }
  const replaced: Record<string, string> = {
    'word/document.xml': xml,
    'word/_rels/document.xml.rels': rels,
    '[Content_Types].xml': types,
  };
  const entries = packageEntries(skeleton, layout.media).map((entry) => {
    const text = replaced[entry.name];
    return text === undefined ? entry : textEntry(entry.name, text);
  });
  for (const i of photoIndexes) {
    const path = layout.media[i];
    if (path !== undefined) entries.push({ name: `word/media/gj-photo-${i}.jpg`, photo: path });
  }
  return { entries, photos: layout.media.length };
}

/**
 * A document without photos as .docx bytes (the API's summary, which has no evidence folder);
 * charts without a picture are left out with their caption.
 */
export async function renderReportDocx(
  doc: ReportDocument,
  charts: Partial<Record<ChartKind, ChartPicture>> = {},
): Promise<Buffer> {
  const layout: Layout = { charts, photos: new Map(), media: [] };
  const title = new Paragraph({ style: STYLE.title, children: runs(doc.title) });
  const body = [title, ...doc.blocks.flatMap((block) => blockElements(block, layout))];
  return packGbDocument(gbDocument(reportTitle(doc), body));
}
