/**
 * The leader email's bar charts: table cells whose widths are the figures' shares, in the colours
 * of their statuses — what Outlook and QQ Mail draw without images.
 */
import { describe, expect, it } from 'vitest';
import { CHART_COLOURS, categoryBars, monthBars } from '../../shared/charts';
import { renderLeaderSummary } from '../../shared/emails/leaderSummary';
import { digestPeriodFor } from '../../shared/emails/periods';
import type { PlanModel } from '../../shared/model';
import { sampleWorkbook } from '../../shared/sample';
import { computeStats } from '../../shared/stats';
import { validateWorkbook } from '../../shared/validate';

const asOf = '2026-07-01';
const model: PlanModel = validateWorkbook(sampleWorkbook(2026, asOf), { asOf }).model;
const stats = computeStats(model, asOf);
const period = digestPeriodFor('monthly', asOf);
if (!period) throw new Error('1 July is a monthly digest day');
const html = renderLeaderSummary({ planId: 'p', model, stats, period }).html;

interface BarRow {
  label: string;
  /** Every bar of the row: its cells as [width %, colour]. */
  bars: [number, string][][];
}

/** The rows of the bars table whose header has `title`, read back from the HTML. */
function barRows(title: string): BarRow[] {
  const start = html.indexOf(`${title}</th>`);
  expect(start, title).toBeGreaterThan(0);
  const body = html.slice(html.indexOf('<tbody>', start), html.indexOf('</tbody>', start));
  // Outer rows begin with the label cell; each bar is a nested one-row table of sized cells.
  const rows: BarRow[] = [];
  for (const part of body.split('<tr>').slice(1)) {
    const label = /^<td[^>]*>([^<]+)<\/td>/.exec(part)?.[1];
    if (label !== undefined && !part.startsWith('<td width=')) {
      rows.push({ label, bars: [] });
      continue;
    }
    const cells = [...part.matchAll(/<td width="([\d.]+)%" bgcolor="(#[0-9a-f]{6})"/g)];
    rows.at(-1)?.bars.push(cells.map(([, width, colour]) => [Number(width), colour as string]));
  }
  return rows;
}

const tenth = (share: number) => Math.round(share * 1000) / 10;

describe('HTML bars in the leader summary email', () => {
  it('draws each category as its statuses’ shares of its measures', () => {
    const rows = barRows('事项完成情况');
    const bars = categoryBars(stats);
    expect(rows.map((r) => r.label)).toEqual(stats.categories.map((c) => c.label));
    expect(bars.some((b) => b.segments.filter((s) => s.count > 0).length >= 2)).toBe(true);
    rows.forEach((row, i) => {
      const category = stats.categories[i];
      if (!category) throw new Error('a row per category');
      const expected = (['done', 'overdue', 'behind', 'onTrack', 'notStarted', 'cancelled'] as const)
        .filter((status) => category[status] > 0)
        .map((status) => [tenth(category[status] / category.measures), CHART_COLOURS[status]]);
      const cells = row.bars[0] ?? [];
      const drawn = cells.filter(([, colour]) => colour !== CHART_COLOURS.track);
      expect(drawn).toEqual(expected);
      // Segments and the empty track fill the bar exactly.
      expect(cells.reduce((sum, [width]) => sum + width, 0)).toBeCloseTo(100, 5);
    });
  });

  it('draws activities and hours by month, each against its busiest month', () => {
    const rows = barRows('志愿服务时长');
    const months = monthBars(stats);
    expect(rows.map((r) => r.label)).toEqual(months.map((m) => m.label));
    const mostActivities = Math.max(...stats.months.map((m) => m.activities));
    const mostHours = Math.max(...stats.months.map((m) => m.hours));
    expect(mostActivities).toBeGreaterThan(0);
    rows.forEach((row, i) => {
      const month = stats.months[i];
      if (!month) throw new Error('a row per month');
      const width = (bar: [number, string][] | undefined, colour: string) =>
        bar?.find(([, c]) => c === colour)?.[0] ?? 0;
      expect(width(row.bars[0], CHART_COLOURS.activities)).toBe(tenth(month.activities / mostActivities));
      expect(width(row.bars[1], CHART_COLOURS.hours)).toBe(tenth(month.hours / mostHours));
    });
    // The busiest month's bar is full; a month without activity has no coloured cell at all.
    expect(rows.some((r) => r.bars[0]?.[0]?.[0] === 100)).toBe(true);
    const quiet = rows.find((_row, i) => stats.months[i]?.activities === 0);
    expect(quiet?.bars[0]?.every(([, colour]) => colour === CHART_COLOURS.track)).toBe(true);
  });

  it('uses tables, bgcolor and inline styles only: no images, divs or style sheets', () => {
    expect(html).not.toMatch(/<img|<div|<style|<svg|class=/i);
  });
});
