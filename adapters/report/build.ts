/**
 * Our documents from a plan's accepted rows, start to finish: the year-end summary (statistics,
 * the document model, its chart pictures, one photo per category) and the activity ledger (its
 * model and every photo). One path for the CLI, the API and the benchmark.
 */
import { basename, dirname, extname, join } from 'node:path';
import { type ChartKind, chartData } from '../../shared/charts';
import type { PhotoIndex, ReportDocument } from '../../shared/document';
import { buildLedger, type Ledger, type LedgerScope, ledgerActivities } from '../../shared/ledger';
import type { IsoDate, PlanModel } from '../../shared/model';
import { buildYearReport, type YearReport } from '../../shared/report';
import { computeStats } from '../../shared/stats';
import type { Stats } from '../../shared/stats-types';
import { type ChartPicture, renderCharts } from '../charts/render';
import { type PhotoFiles, packReportDocx, photoKey, renderReportDocx } from './docx';
import { writePackage } from './packMedia';
import { listPhotos, measurePhotos } from './photos';

/** Builds the summary of the model's plan year as of a date, and writes it as .docx bytes (no photos). */
export async function yearReportDocx(
  model: PlanModel,
  asOf: IsoDate,
): Promise<{ stats: Stats; report: YearReport; docx: Buffer }> {
  const stats = computeStats(model, asOf);
  const report = buildYearReport(model, stats);
  return { stats, report, docx: await renderReportDocx(report, renderCharts(chartData(stats))) };
}

/** Where a document with photos is written, and what it is told along the way. */
export interface DocumentTarget {
  /** The evidence folder (`佐证材料` beside the workbook). */
  evidence: string;
  /** The .docx file; replaced only once the new one is whole. */
  out: string;
  /** Called once the document is laid out, with the number of photos to copy in. */
  laidOut?: (photos: number) => void;
  /** Called after each photo is copied in. */
  onPhoto?: (done: number, total: number) => void;
  /** Called just before the file replaces `out` (a last check that it is not open). */
  beforeReplace?: () => Promise<void>;
  /** The most bytes the package may take: a zip's 4 GiB unless a test, which cannot write that, passes less. */
  limit?: number;
}

/** What a document with photos was written with: files not measurable are named, not laid out. */
export interface Written {
  photos: number;
  skipped: string[];
}

/**
 * The photos of these activities that can be laid out: listed, then measured (headers only), so a
 * document counts and shows the same photos; the files left out are named.
 */
async function usablePhotos(
  evidence: string,
  activityIds: readonly string[],
): Promise<{ index: PhotoIndex; files: PhotoFiles; skipped: string[] }> {
  const listed = await listPhotos(evidence, activityIds);
  const refs = [...listed].flatMap(([activityId, files]) => files.map((file) => ({ activityId, file })));
  const { files, skipped } = await measurePhotos(evidence, refs);
  const index = new Map<string, string[]>();
  for (const [activityId, names] of listed) {
    const usable = names.filter((file) => files.has(photoKey(activityId, file)));
    if (usable.length > 0) index.set(activityId, usable);
  }
  return { index, files, skipped };
}

async function writeDocument(
  doc: ReportDocument,
  charts: Partial<Record<ChartKind, ChartPicture>>,
  photos: { files: PhotoFiles; skipped: string[] },
  target: DocumentTarget,
): Promise<Written> {
  const packed = await packReportDocx(doc, charts, photos.files);
  target.laidOut?.(packed.photos);
  await writePackage(packed.entries, target.out, target.onPhoto, target.beforeReplace, target.limit);
  return { photos: packed.photos, skipped: photos.skipped };
}

/** Writes the year-end summary with one photo per category, where the evidence folder has one. */
export async function writeYearReport(
  model: PlanModel,
  asOf: IsoDate,
  target: DocumentTarget,
): Promise<{ stats: Stats; report: YearReport } & Written> {
  const stats = computeStats(model, asOf);
  const ids = model.activities.flatMap((a) => (a.status === 'done' && a.activityId ? [a.activityId] : []));
  const photos = await usablePhotos(target.evidence, ids);
  const report = buildYearReport(model, stats, photos.index);
  const written = await writeDocument(report, renderCharts(chartData(stats)), photos, target);
  return { stats, report, ...written };
}

/** Writes the activity ledger of a period with every photo of its activities. */
export async function writeLedger(
  model: PlanModel,
  scope: LedgerScope,
  target: DocumentTarget,
): Promise<{ ledger: Ledger } & Written> {
  const ids = ledgerActivities(model, scope).flatMap((a) => (a.activityId ? [a.activityId] : []));
  const photos = await usablePhotos(target.evidence, ids);
  const ledger = buildLedger(model, scope, photos.index);
  return { ledger, ...(await writeDocument(ledger, {}, photos, target)) };
}

/** Where a workbook's ledger goes by default: `local/plan.xlsx` → `local/plan-活动台账.docx` (a CSV folder: inside it). */
export function ledgerBesideWorkbook(path: string): string {
  const name = basename(path, extname(path)) || 'plan';
  return join(dirname(path), `${name}-活动台账.docx`);
}
