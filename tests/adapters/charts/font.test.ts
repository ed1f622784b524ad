/**
 * The chart font shipped with the functions draws every character a chart can show: no missing
 * glyphs on a server without Chinese fonts. Checked against the font's own cmap.
 */
import { describe, expect, it } from 'vitest';
import { CHART_FONT_BASE64 } from '../../../adapters/charts/font';
import { renderChart } from '../../../adapters/charts/render';
import {
  CHART_CHARACTERS,
  CHART_FONT_FAMILY,
  type ChartData,
  chartData,
  chartSvg,
} from '../../../shared/charts';
import { CATEGORIES, CATEGORY_LABELS } from '../../../shared/i18n';
import { sampleWorkbook } from '../../../shared/sample';
import { computeStats } from '../../../shared/stats';
import { validateWorkbook } from '../../../shared/validate';
import { familyName, mappedCodePoints } from '../../support/font';

const font = new Uint8Array(Buffer.from(CHART_FONT_BASE64, 'base64'));
const mapped = mappedCodePoints(font);

/** The text of every <text> element of an SVG, unescaped. */
function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(([, text]) =>
    (text ?? '').replace(
      /&(amp|lt|gt|quot|#39);/g,
      (e) => ({ '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" })[e] ?? e,
    ),
  );
}

const missing = (text: string) =>
  [...text].filter((c) => c !== ' ' && !mapped.has(c.codePointAt(0) as number));

/** Chart data that stretches the labels: every category, large and fractional figures, none at all. */
const extremes: ChartData[] = [
  {
    categories: CATEGORIES.map((c, i) => ({
      label: CATEGORY_LABELS[c],
      measures: 1234,
      segments: (['done', 'overdue', 'behind', 'onTrack', 'notStarted', 'cancelled'] as const).map(
        (status, k) => ({
          status,
          label: status,
          count: (i + 1) * (k + 1) * 29,
          colour: status,
        }),
      ),
    })),
    months: Array.from({ length: 12 }, (_, i) => ({
      label: `${i + 1}月`,
      activities: 98_765 * i,
      hours: 1234.56 * i,
    })),
  },
  {
    categories: [],
    months: Array.from({ length: 12 }, (_, i) => ({ label: `${i + 1}月`, activities: 0, hours: 0 })),
  },
];

describe('the chart font', () => {
  it('is named as the charts ask for it, and is small enough to ship in the bundle', () => {
    expect(familyName(font)).toBe(CHART_FONT_FAMILY);
    expect(font.byteLength).toBeLessThan(100 * 1024);
  });

  it('maps every character the charts can draw', () => {
    expect(CHART_CHARACTERS.length).toBeGreaterThan(50);
    expect(missing(CHART_CHARACTERS)).toEqual([]);
    // The subset really is one: characters no chart draws are not in it.
    expect(missing('你好街道')).toEqual(['你', '好', '街', '道']);
  });

  it('has every character of every label of the sample’s charts and of extreme figures', () => {
    const asOf = '2026-12-31';
    const model = validateWorkbook(sampleWorkbook(2026, asOf), { asOf }).model;
    const data = [chartData(computeStats(model, asOf)), ...extremes];
    let texts = 0;
    for (const d of data) {
      for (const kind of ['categories', 'months'] as const) {
        for (const text of svgTexts(chartSvg(kind, d))) {
          texts++;
          expect(missing(text), text).toEqual([]);
        }
      }
    }
    expect(texts).toBeGreaterThan(100);
  });

  it('renders to PNG pictures 1000 px wide', () => {
    const picture = renderChart('months', extremes[0] as ChartData);
    expect([...picture.png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    expect(picture.width).toBe(1000);
    expect(picture.height).toBeGreaterThan(300);
  });
});
