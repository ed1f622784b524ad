/**
 * Charts as PNG pictures, rendered on the server with resvg (a native renderer, no browser) in the
 * chart font shipped with the code: Cloud Functions has no Chinese fonts, and system fonts are
 * never loaded, so a picture looks the same on every machine.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import {
  CHART_FONT_FAMILY,
  type ChartData,
  type ChartKind,
  chartSvg,
  type RollupChartData,
  type RollupChartKind,
  rollupChartSvg,
} from '../../shared/charts';
import { CHART_FONT_BASE64 } from './font';

/** A rendered chart picture and its size in pixels. */
export interface ChartPicture {
  png: Uint8Array;
  width: number;
  height: number;
}

let fontFile: string | undefined;

/**
 * The chart font as a file: resvg-js for Node reads fonts from files only. Written once per
 * process under the temporary folder (in memory on Cloud Functions), named by its content and
 * renamed into place, so concurrent processes share one complete file.
 */
function chartFontFile(): string {
  if (fontFile) return fontFile;
  const bytes = Buffer.from(CHART_FONT_BASE64, 'base64');
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const path = join(tmpdir(), `gongjian-chart-font-${hash}.otf`);
  if (!existsSync(path)) {
    const partial = `${path}.${randomUUID()}`;
    writeFileSync(partial, bytes);
    renameSync(partial, path);
  }
  fontFile = path;
  return path;
}

/** Renders a chart's SVG to PNG at its size, in the chart font and no other. */
function renderSvg(svg: string): ChartPicture {
  const image = new Resvg(svg, {
    font: { fontFiles: [chartFontFile()], loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY },
    background: '#ffffff',
  }).render();
  return { png: image.asPng(), width: image.width, height: image.height };
}

/** Renders one chart to PNG at its SVG size (1000 px wide). */
export function renderChart(kind: ChartKind, data: ChartData): ChartPicture {
  return renderSvg(chartSvg(kind, data));
}

/** Renders one of the district roll-up's charts to PNG (1000 px wide). */
export function renderRollupChart(kind: RollupChartKind, data: RollupChartData): ChartPicture {
  return renderSvg(rollupChartSvg(kind, data));
}

/** Both charts of the data. */
export function renderCharts(data: ChartData): Record<ChartKind, ChartPicture> {
  return { categories: renderChart('categories', data), months: renderChart('months', data) };
}
