/**
 * The Google Sheet's native charts: the plan's two charts (shared/charts.ts CHARTS — the definition
 * the email's bars and the .xlsx pictures draw too) on the 汇总 tab, right of its table, as the .xlsx
 * shows its pictures; and a district roll-up's three (ROLLUP_CHARTS), each beside the tab it is
 * drawn from. A native chart reads cells, so the figures are written as a block of their own right
 * of the charts — the series of chartSeries / rollupChartSeries, from the statistics — and never
 * looked up in the tables written for people, whose headers and rows may change without the charts
 * knowing.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import {
  CHART_COLOURS,
  CHARTS,
  type ChartData,
  type ChartDefinition,
  type ChartKind,
  type ChartSeries,
  chartSeries,
  ROLLUP_CHARTS,
  type RollupChartData,
  type RollupChartKind,
  rollupChartSeries,
} from '../../shared/charts';
import type { Table } from '../../shared/workbook';
import { rgb } from './sheetsGrid';

/** Empty columns between the 汇总 table and the charts' figures, which the charts sit over. */
export const CHART_COLUMNS = 8;
/** The charts, one under the other as in the .xlsx. */
const CHART_ORDER: readonly ChartKind[] = ['months', 'categories'];
const CHART_WIDTH = 640;
const CHART_HEIGHT = 360;
const CHART_GAP = 20;

/** Where one chart's figures stand in the block: its header row and the rows under it. */
interface BlockPart {
  chart: ChartDefinition;
  top: number;
  rows: number;
}

/** Charts' figures as cells, and where each chart's stand. */
export interface ChartBlock {
  table: Table;
  parts: BlockPart[];
}

/** The plan's two charts' figures as a block (the 汇总 tab's). */
export function chartBlock(data: ChartData): ChartBlock {
  return blockOf(CHART_ORDER.map((kind) => ({ chart: CHARTS[kind], series: chartSeries(kind, data) })));
}

/** One roll-up chart's figures as a block (the tab it is drawn from, §13). */
export function rollupChartBlock(kind: RollupChartKind, data: RollupChartData): ChartBlock {
  return blockOf([{ chart: ROLLUP_CHARTS[kind], series: rollupChartSeries(kind, data) }]);
}

/** Charts' figures as cells: per chart a header (domain, series labels) and a row per label, one empty row between. */
function blockOf(charts: readonly { chart: ChartDefinition; series: ChartSeries }[]): ChartBlock {
  const table: Table = [];
  const parts: BlockPart[] = [];
  for (const { chart, series } of charts) {
    const { labels, values } = series;
    if (table.length > 0) table.push([]);
    parts.push({ chart, top: table.length, rows: labels.length + 1 });
    table.push([chart.domain, ...chart.series.map((series) => series.label)]);
    labels.forEach((label, i) => {
      table.push([label, ...values.map((series) => series[i] ?? 0)]);
    });
  }
  return { table, parts };
}

/** The block's cells as grid rows: header rows bold, numbers as numbers. */
function blockRows(table: Table, parts: readonly BlockPart[]): sheets_v4.Schema$RowData[] {
  const headers = new Set(parts.map((part) => part.top));
  return table.map((cells, r) => ({
    values: cells.map((value): sheets_v4.Schema$CellData => {
      const data: sheets_v4.Schema$CellData = {};
      if (typeof value === 'number') data.userEnteredValue = { numberValue: value };
      else if (typeof value === 'string') data.userEnteredValue = { stringValue: value };
      if (headers.has(r)) data.userEnteredFormat = { textFormat: { bold: true } };
      return data;
    }),
  }));
}

/** One native chart over its part of the block (at `column`), anchored right of the table. */
function chartRequest(
  sheetId: number,
  part: BlockPart,
  column: number,
  anchorColumn: number,
  index: number,
): sheets_v4.Schema$Request {
  const { chart } = part;
  const bars = chart.type === 'stackedBars';
  const source = (at: number): sheets_v4.Schema$ChartData => ({
    sourceRange: {
      sources: [
        {
          sheetId,
          startRowIndex: part.top,
          endRowIndex: part.top + part.rows,
          startColumnIndex: at,
          endColumnIndex: at + 1,
        },
      ],
    },
  });
  // Bars run along the bottom axis with their labels on the left; columns the other way round.
  const valueAxis = { primary: bars ? 'BOTTOM_AXIS' : 'LEFT_AXIS', secondary: 'RIGHT_AXIS' } as const;
  const axis: sheets_v4.Schema$BasicChartAxis[] = [
    { position: bars ? 'LEFT_AXIS' : 'BOTTOM_AXIS', title: chart.domain },
    ...(['primary', 'secondary'] as const).flatMap((which) => {
      const title = chart.axes[which];
      return title === undefined ? [] : [{ position: valueAxis[which], title }];
    }),
  ];
  return {
    addChart: {
      chart: {
        spec: {
          title: chart.title,
          basicChart: {
            chartType: bars ? 'BAR' : 'COLUMN',
            ...(bars ? { stackedType: 'STACKED' } : {}),
            legendPosition: 'TOP_LEGEND',
            headerCount: 1,
            axis,
            domains: [{ domain: source(column) }],
            series: chart.series.map((series, k) => ({
              series: source(column + 1 + k),
              targetAxis: valueAxis[series.axis],
              colorStyle: { rgbColor: rgb(`FF${CHART_COLOURS[series.colour].slice(1)}`) },
            })),
          },
        },
        position: {
          overlayPosition: {
            anchorCell: { sheetId, rowIndex: 0, columnIndex: anchorColumn },
            offsetYPixels: index * (CHART_HEIGHT + CHART_GAP),
            widthPixels: CHART_WIDTH,
            heightPixels: CHART_HEIGHT,
          },
        },
      },
    },
  };
}

/**
 * The requests that write the charts' figures right of a table (`width` columns: 汇总's, or a
 * roll-up tab's) and add the charts over the columns between; a chart with nothing to show (a plan
 * without measures) is left out.
 */
export function overviewChartRequests(
  sheetId: number,
  width: number,
  block: ChartBlock,
): sheets_v4.Schema$Request[] {
  const anchorColumn = width + 1;
  const column = anchorColumn + CHART_COLUMNS;
  const requests: sheets_v4.Schema$Request[] = [
    {
      updateCells: {
        start: { sheetId, rowIndex: 0, columnIndex: column },
        rows: blockRows(block.table, block.parts),
        fields: 'userEnteredValue,userEnteredFormat',
      },
    },
  ];
  block.parts
    .filter((part) => part.rows > 1)
    .forEach((part, index) => {
      requests.push(chartRequest(sheetId, part, column, anchorColumn, index));
    });
  return requests;
}

/** The columns the charts and their figures take right of their table. */
export function chartBlockWidth(block: ChartBlock): number {
  return 1 + CHART_COLUMNS + Math.max(0, ...block.table.map((row) => row.length));
}
