/**
 * The leaders' charts as pictures in the .xlsx 汇总 tab, beside its table (Excel and WPS users
 * have no native chart from us: exceljs cannot write one). Drawn from the update's chart data (the
 * statistics the tabs were made from) by the definition the email and the Google Sheet's native
 * charts draw too (shared/charts.ts CHARTS).
 */
import type ExcelJS from 'exceljs';
import type { ChartData, ChartKind } from '../../shared/charts';
import type { GeneratedTab } from '../../shared/i18n';
import type { Table } from '../../shared/workbook';
import { type ChartPicture, renderChart } from '../charts/render';
import { generatedTabOf } from './port';

/** Shown size of a chart in the sheet, in pixels. */
const SHOWN_WIDTH = 600;
/** The first column right of the overview's two columns, with one empty column between (0-based). */
const CHART_COLUMN = 3;
/** Excel's default row height (15 pt) and column width (8.43 characters), in pixels. */
const ROW_PIXELS = 20;
const COLUMN_PIXELS = 64;
const ORDER: ChartKind[] = ['months', 'categories'];

/** Media slots no sheet shows any more: the pictures of the 汇总 tab this update replaced. */
function unusedMedia(workbook: ExcelJS.Workbook): number[] {
  const used = new Set<number>();
  for (const sheet of workbook.worksheets) {
    for (const image of sheet.getImages()) used.add(Number(image.imageId));
    const background = sheet.getBackgroundImageId();
    if (background !== undefined) used.add(Number(background));
  }
  const media = (workbook as unknown as { media: unknown[] }).media;
  return media.map((_, id) => id).filter((id) => !used.has(id));
}

/**
 * Places the charts in the 汇总 tab, one under the other right of its table. Called after the
 * generated tabs were rebuilt; does nothing when the update did not rebuild 汇总.
 */
export function placeOverviewCharts(
  workbook: ExcelJS.Workbook,
  generated: Partial<Record<GeneratedTab, Table>>,
  data: ChartData,
): void {
  const sheet = workbook.worksheets.find((s) => generatedTabOf(s.name) === 'overview');
  if (!sheet || !generated.overview) return;
  // A rebuilt 汇总 leaves its old pictures behind in the workbook's media: reuse those slots, so
  // the file does not grow by two pictures at every sync.
  const free = unusedMedia(workbook);
  const media = (workbook as unknown as { media: Record<string, unknown>[] }).media;
  let row = 1;
  for (const kind of ORDER) {
    const picture: ChartPicture = renderChart(kind, data);
    const image = pictureImage(picture);
    const slot = free.shift();
    let id: number;
    if (slot === undefined) id = workbook.addImage(image);
    else {
      media[slot] = { ...image, type: 'image', name: `chart-${kind}` };
      id = slot;
    }
    row += showPicture(sheet, id, picture, CHART_COLUMN, row) + 1;
  }
}

/**
 * Shows a picture of the workbook's media (`id`) in the sheet, SHOWN_WIDTH pixels wide, its top
 * left corner at a 0-based column and row of default-sized cells; returns the rows it covers.
 */
export function showPicture(
  sheet: ExcelJS.Worksheet,
  id: number,
  picture: ChartPicture,
  column: number,
  row: number,
): number {
  const height = Math.round((SHOWN_WIDTH * picture.height) / picture.width);
  // A two-cell anchor: exceljs writes its one-cell anchors with an editAs attribute the schema
  // does not allow there (openpyxl then drops the whole drawing). Its right edge is found over the
  // columns' real widths, so a picture over fitted columns keeps its proportions.
  const rows = height / ROW_PIXELS;
  // exceljs's typings ask for full anchors here; its documented {col, row} form is what it reads.
  const range = {
    tl: { col: column, row },
    br: { col: rightEdge(sheet, column, SHOWN_WIDTH), row: row + rows },
  } as unknown as ExcelJS.ImageRange;
  sheet.addImage(id, { ...range, editAs: 'oneCell' });
  return Math.ceil(rows);
}

/**
 * The fractional column where a picture `pixels` wide that starts at `column` (0-based) ends:
 * a column `w` characters wide is `w · 7 + 5` pixels in Excel's default font, an unset one 64.
 */
function rightEdge(sheet: ExcelJS.Worksheet, column: number, pixels: number): number {
  let left = pixels;
  let at = column;
  for (;;) {
    const width = sheet.getColumn(at + 1).width;
    const shown = width === undefined ? COLUMN_PIXELS : Math.trunc(width * 7 + 5);
    if (left <= shown) return at + left / shown;
    left -= shown;
    at++;
  }
}

/** A rendered picture as exceljs takes it into a workbook's media. */
export function pictureImage(picture: ChartPicture): ExcelJS.Image {
  // exceljs types its buffer as an ArrayBuffer-backed Buffer; a Node Buffer is what it reads.
  return {
    buffer: Buffer.from(picture.png) as unknown as NonNullable<ExcelJS.Image['buffer']>,
    extension: 'png',
  };
}
