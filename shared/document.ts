/**
 * The documents we write (the year-end summary, the activity ledger) as data: a title and blocks in
 * reading order — headings, paragraphs, tables, forms, charts and photos. The modules beside this
 * one decide what a document says; the .docx adapter lays every block out the same way, so the
 * two documents of an office look alike. Pure.
 */
import type { ChartKind } from './charts';
import type { IsoDate } from './model';

/** A piece of text; a placeholder is for staff to replace and is highlighted by writers. */
export interface ReportRun {
  text: string;
  placeholder?: boolean;
}

/** One block of the document, in reading order. */
export type ReportBlock =
  /** 一、 (level 1, 黑体) or （一） (level 2, 楷体). */
  | { type: 'heading'; level: 1 | 2; text: string }
  | { type: 'paragraph'; runs: ReportRun[]; align?: 'center' | 'right' }
  | {
      type: 'table';
      caption: string;
      header: string[];
      rows: string[][];
      /** Indexes of right-aligned (numeric) columns. */
      numeric: number[];
      /** Relative column widths. */
      widths: number[];
    }
  | { type: 'chart'; chart: ChartKind; caption: string }
  /**
   * A form of label–value rows with borders (the ledger's 活动记录表); two `half` fields in a row
   * share a line, the others take the whole width. `tall` leaves room to write by hand.
   */
  | { type: 'record'; caption: string; fields: RecordField[] }
  /** Photos of activities, `columns` to a row, each with its caption under it. */
  | { type: 'photos'; columns: 1 | 2; photos: PhotoRef[] }
  | { type: 'pageBreak' };

/** One line of a {@link ReportBlock} `record`. */
export interface RecordField {
  label: string;
  value: string;
  half?: boolean;
  tall?: boolean;
}

/**
 * A photo of an activity's evidence, as the plan's data names it: the activity's 记录编号 and the
 * file in its evidence folder. Writers find the picture; this module only says which and where.
 */
export interface PhotoRef {
  activityId: string;
  file: string;
  caption: string;
}

/**
 * The evidence photos there are, by activity ID, each list in its folder's order (`1.jpg`,
 * `2.jpg`, …). Read by the adapter that can see them; an activity without photos is absent.
 */
export type PhotoIndex = ReadonlyMap<string, readonly string[]>;

/** What a writer lays out: a title and the blocks in reading order. */
export interface ReportDocument {
  title: ReportRun[];
  blocks: ReportBlock[];
}

/** `2026-03-05` → `3月5日` within the plan year, `2025年12月3日` outside it. */
export function dateText(iso: IsoDate, year: number): string {
  const [y, m, d] = [Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10))];
  return y === year ? `${m}月${d}日` : `${y}年${m}月${d}日`;
}

/** `2026-03-05` → `2026年3月5日`. */
export function fullDate(iso: IsoDate): string {
  return `${Number(iso.slice(0, 4))}年${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日`;
}
