/**
 * Our documents (the year-end summary, the activity ledger) as Word documents, in the page setup of
 * ./page (GB/T 9704-2012): this module lays out the blocks of shared/document — tables, forms,
 * charts, photos, highlighted placeholders — and nothing of the page. Photos go in as placeholders
 * that ./packMedia replaces by the files, so no photo is held in memory here.
 */
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
import { photoPlaceholder } from './packMedia';
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
    borders: {
      top: THIN,
      bottom: THIN,
      left: THIN,
      right: THIN,
      insideHorizontal: THIN,
      insideVertical: THIN,
    },
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
      borders: {
        top: NO_BORDER,
        bottom: NO_BORDER,
        left: NO_BORDER,
        right: NO_BORDER,
        insideHorizontal: NO_BORDER,
        insideVertical: NO_BORDER,
      },
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
      borders: {
        top: THIN,
        bottom: THIN,
        left: THIN,
        right: THIN,
        insideHorizontal: THIN,
        insideVertical: THIN,
      },
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
 * Lays a document out in the page setup of ./page and packs it; each photo is a placeholder, and
 * `media` lists the photo files in placeholder order (./packMedia streams them in).
 */
export async function packReportDocx(
  doc: ReportDocument,
  charts: Partial<Record<ChartKind, ChartPicture>> = {},
  photos: PhotoFiles = new Map(),
): Promise<{ packed: Buffer; media: string[] }> {
  const layout: Layout = { charts, photos, media: [] };
  const title = new Paragraph({ style: STYLE.title, children: runs(doc.title) });
  const body = [title, ...doc.blocks.flatMap((block) => blockElements(block, layout))];
  const packed = await packGbDocument(gbDocument(reportTitle(doc), body));
  return { packed, media: layout.media };
}

/**
 * A document without photos as .docx bytes (the API's summary, which has no evidence folder);
 * charts without a picture are left out with their caption.
 */
export async function renderReportDocx(
  doc: ReportDocument,
  charts: Partial<Record<ChartKind, ChartPicture>> = {},
): Promise<Buffer> {
  return (await packReportDocx(doc, charts)).packed;
}
