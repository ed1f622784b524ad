/**
 * The offline CLI part of `npm run bench` (issue 8): `gongjian stats` on a large generated .xlsx,
 * timed against the streaming-parse floor — exceljs' WorkbookReader over the same file, doing
 * nothing with the rows — measured in the same run, each in its own child process so that peak
 * RSS is the process's own. The previous design's reader (exceljs' whole-workbook load) is timed
 * too, for the before/after comparison.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type ExcelJS from 'exceljs';
import type { RawWorkbook } from '../shared/workbook';
import { atMost, type BenchRow, mb, seconds, times } from './format';
import { type GenerateOptions, generateWorkbook } from './generate';

/** The repository root, found from the bundle (dist/) or the source (bench/). */
const ROOT = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'bin', 'gongjian.js')) && path.dirname(dir) !== dir)
    dir = path.dirname(dir);
  return dir;
})();
/** The `gongjian` binary the user runs (bin/gongjian.js, which loads the bundle). */
export const GONGJIAN = path.join(ROOT, 'bin', 'gongjian.js');

export const CLI_TARGETS = { floorRatio: 1.5, peakRssMb: 300 } as const;

/** What a measured child process did. */
export interface Measured {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** The child's own peak resident set size, from process.resourceUsage() at its exit. */
  peakRssMb: number;
}

const PEAK_MARK = '@@peak-rss-kb=';
/** Appended to the child's stderr as it exits; the exit of a crashed heap never gets here. */
const REPORT_PEAK = `process.on('exit', () => process.stderr.write('\\n${PEAK_MARK}' + process.resourceUsage().maxRSS + '\\n'));`;
/** Runs a script (argv[1]) with its arguments in this process, reporting the peak RSS at exit. */
const RUN_SCRIPT = `${REPORT_PEAK}
const { pathToFileURL } = await import('node:url');
const [script, ...args] = process.argv.slice(1);
process.argv = [process.argv[0], script, ...args];
await import(pathToFileURL(script).href);`;

/**
 * Runs `node [nodeOptions] script args…` in a child process with the repository as working
 * directory and measures its wall time and peak RSS. Also used by the resource tests.
 */
export function measureScript(
  script: string,
  args: readonly string[],
  nodeOptions: readonly string[] = [],
): Promise<Measured> {
  return measureCode(RUN_SCRIPT, [script, ...args], nodeOptions);
}

function measureCode(
  code: string,
  args: readonly string[],
  nodeOptions: readonly string[],
): Promise<Measured> {
  const start = performance.now();
  const child = spawn(process.execPath, [...nodeOptions, '--input-type=module', '-e', code, ...args], {
    cwd: ROOT,
    env: { ...process.env, TZ: 'UTC' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const wallMs = performance.now() - start;
      const stderr = Buffer.concat(err).toString('utf8');
      const mark = stderr.lastIndexOf(PEAK_MARK);
      const peakKb = mark < 0 ? Number.NaN : Number.parseInt(stderr.slice(mark + PEAK_MARK.length), 10);
      resolve({
        code: exitCode,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: mark < 0 ? stderr : stderr.slice(0, mark).replace(/\n$/, ''),
        wallMs,
        peakRssMb: peakKb / 1024,
      });
    });
  });
}

/** exceljs' streaming reader over the file, doing nothing with the rows: the floor. */
const STREAMING_FLOOR = `${REPORT_PEAK}
const { default: ExcelJS } = await import('exceljs');
const reader = new ExcelJS.stream.xlsx.WorkbookReader(process.argv[1], {
  sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore',
});
for await (const sheet of reader) for await (const row of sheet) void row;`;

/** The previous design's reader: exceljs loading the whole workbook. */
const WHOLE_LOAD = `${REPORT_PEAK}
const { default: ExcelJS } = await import('exceljs');
await new ExcelJS.Workbook().xlsx.readFile(process.argv[1]);`;

/** Writes a generated workbook as .xlsx with exceljs' streaming writer (the DOM writer needs GBs here). */
async function writeLargeXlsx(file: string, workbook: RawWorkbook): Promise<void> {
  const { default: Excel } = await import('exceljs');
  const writer = new Excel.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
  for (const tab of workbook.tabs) {
    const sheet = writer.addWorksheet(tab.name);
    sheet.addRow(tab.header).commit();
    for (const { cells } of tab.rows) {
      const row = sheet.addRow(cells as ExcelJS.CellValue[]);
      cells.forEach((cell, i) => {
        if (cell instanceof Date) row.getCell(i + 1).numFmt = 'yyyy-mm-dd';
      });
      row.commit();
    }
    sheet.commit();
  }
  await writer.commit();
}

export interface CliBenchOptions {
  generate: GenerateOptions;
  asOf: string;
  /** Timed runs of each of the floor and the CLI, interleaved (best of them is reported). */
  runs: number;
  progress: (text: string) => void;
}

/** Measures `gongjian stats` on a generated .xlsx against the streaming-parse floor. */
export async function runCliBench(options: CliBenchOptions): Promise<BenchRow[]> {
  const { generate, asOf, runs, progress } = options;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gongjian-bench-cli-'));
  try {
    const file = path.join(dir, 'plan.xlsx');
    progress(`writing a ${generate.activities.toLocaleString('en')}-activity .xlsx for the CLI part…`);
    await writeLargeXlsx(file, generateWorkbook(generate));
    const size = (await stat(file)).size / 2 ** 20;
    const floors: Measured[] = [];
    const ours: Measured[] = [];
    for (let run = 1; run <= runs; run++) {
      progress(`  run ${run}/${runs}: exceljs streaming parse (floor)…`);
      floors.push(await measureCode(STREAMING_FLOOR, [file], []));
      progress(`    ${seconds(floors.at(-1)?.wallMs ?? 0)}; gongjian stats…`);
      const measured = await measureScript(GONGJIAN, ['stats', file, '--as-of', asOf, '--json']);
      if (measured.code !== 0) throw new Error(`gongjian stats exited ${measured.code}: ${measured.stderr}`);
      ours.push(measured);
      progress(`    ${seconds(measured.wallMs)}, peak ${mb(measured.peakRssMb)}`);
    }
    progress('  the previous design: exceljs loading the whole workbook…');
    const whole = await measureCode(WHOLE_LOAD, [file], []);
    const best = (list: Measured[]) => Math.min(...list.map((m) => m.wallMs));
    const floorMs = best(floors);
    const oursMs = best(ours);
    const peak = Math.max(...ours.map((m) => m.peakRssMb));
    const ratio = oursMs / floorMs;
    const label = `${generate.activities.toLocaleString('en')}-activity .xlsx (${size.toFixed(1)} MB)`;
    return [
      {
        metric: `gongjian stats on a ${label}, best of ${runs}`,
        value: seconds(oursMs),
        target: '',
      },
      {
        metric: `streaming-parse floor: exceljs WorkbookReader over the same file, best of ${runs} (peak ${mb(Math.max(...floors.map((m) => m.peakRssMb)))})`,
        value: seconds(floorMs),
        target: '',
      },
      atMost('gongjian stats / streaming-parse floor', ratio, CLI_TARGETS.floorRatio, times),
      atMost('gongjian stats: peak RSS of its process', peak, CLI_TARGETS.peakRssMb, mb),
      {
        metric: 'previous design: exceljs whole-workbook load alone (time, peak RSS)',
        value: `${seconds(whole.wallMs)}, ${mb(whole.peakRssMb)}`,
        target: '',
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
