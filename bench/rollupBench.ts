/**
 * The district roll-up part of `npm run bench` (issue 22): `gongjian rollup` over N sample-sized
 * workbooks (18 measures, 10 partners, 200 activities, as a community's plan is) against the sum
 * of `gongjian stats` run on each — what a 街道 staff member would otherwise do — each command in
 * its own child process so that wall time and peak RSS are its own. The roll-up's figures are
 * compared with the stats runs' too: a fast roll-up of other numbers would be no roll-up.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeTabs } from '../adapters/workbook/sample';
import { writeXlsx } from '../adapters/workbook/xlsx';
import type { DistrictRollup } from '../shared/rollup';
import type { Stats } from '../shared/stats-types';
import type { RawWorkbook } from '../shared/workbook';
import { GONGJIAN, type Measured, measureScript } from './cliBench';
import { atMost, type BenchRow, mb, seconds, times } from './format';
import { generateWorkbook } from './generate';

export const ROLLUP_TARGETS = { ratio: 1.2, peakRssMb: 400 } as const;

/** The size of a community's plan: the sample's measures and partners, a year of activities. */
const PLAN_SIZE = { measures: 18, partners: 10, activities: 200 } as const;

export interface RollupBenchOptions {
  /** How many workbooks the roll-up reads. */
  plans: number;
  asOf: string;
  progress: (text: string) => void;
}

/** A generated plan with its own community name (社区名称 in 设置). */
function communityPlan(index: number, year: number): RawWorkbook {
  const workbook = generateWorkbook({ ...PLAN_SIZE, year, seed: 22_000 + index });
  const settings = workbook.tabs.find((tab) => tab.name === '设置');
  for (const row of settings?.rows ?? []) if (row.cells[0] === '社区名称') row.cells[1] = `第${index}社区`;
  return workbook;
}

function ok(run: Measured, what: string): Measured {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}: ${run.stderr}`);
  return run;
}

/** Measures `gongjian rollup` over generated workbooks against `gongjian stats` on each. */
export async function runRollupBench(options: RollupBenchOptions): Promise<BenchRow[]> {
  const { plans, asOf, progress } = options;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gongjian-bench-rollup-'));
  try {
    const folder = path.join(dir, 'plans');
    await mkdir(folder);
    progress(`writing ${plans} sample-sized workbooks for the roll-up part…`);
    const files: string[] = [];
    const year = Number(asOf.slice(0, 4));
    for (let i = 1; i <= plans; i++) {
      const file = path.join(folder, `${String(i).padStart(4, '0')}.xlsx`);
      await writeXlsx(file, writeTabs(communityPlan(i, year)));
      files.push(file);
    }
    const out = path.join(dir, '街道汇总.xlsx');
    const rollupRuns: Measured[] = [];
    for (let run = 1; run <= 2; run++) {
      progress(`  gongjian rollup over ${plans} workbooks, run ${run}/2…`);
      rollupRuns.push(
        ok(
          await measureScript(GONGJIAN, ['rollup', folder, '--as-of', asOf, '--out', out]),
          'gongjian rollup',
        ),
      );
      progress(
        `    ${seconds(rollupRuns.at(-1)?.wallMs ?? 0)}, peak ${mb(rollupRuns.at(-1)?.peakRssMb ?? 0)}`,
      );
    }
    progress(`  gongjian stats on each of the ${plans} workbooks…`);
    let statsMs = 0;
    let statsPeak = 0;
    const stats: Stats[] = [];
    for (const [i, file] of files.entries()) {
      const run = ok(
        await measureScript(GONGJIAN, ['stats', file, '--as-of', asOf, '--json']),
        'gongjian stats',
      );
      statsMs += run.wallMs;
      statsPeak = Math.max(statsPeak, run.peakRssMb);
      stats.push(JSON.parse(run.stdout) as Stats);
      if ((i + 1) % 50 === 0) progress(`    ${i + 1}/${plans}: ${seconds(statsMs)} so far`);
    }
    progress('  gongjian rollup --json, to compare its figures with the stats runs…');
    const printed = ok(
      await measureScript(GONGJIAN, ['rollup', folder, '--as-of', asOf, '--json']),
      'gongjian rollup --json',
    );
    const rollup = JSON.parse(printed.stdout) as DistrictRollup;
    const disagreements =
      stats.filter((s, i) => {
        const community = rollup.communities[i];
        return (
          JSON.stringify([community?.plan, community?.categories, community?.months]) !==
          JSON.stringify([s.plan, s.categories, s.months])
        );
      }).length + Math.abs(rollup.communities.length - stats.length);

    const rollupMs = Math.min(...rollupRuns.map((r) => r.wallMs));
    const peak = Math.max(...rollupRuns.map((r) => r.peakRssMb), printed.peakRssMb);
    const ratio = rollupMs / statsMs;
    const size = `${plans} workbooks of ${PLAN_SIZE.measures} measures, ${PLAN_SIZE.activities} activities`;
    return [
      {
        metric: `gongjian rollup over ${size} (best of 2, writing 街道汇总.xlsx)`,
        value: seconds(rollupMs),
        target: '',
      },
      {
        metric: `sum of gongjian stats --json on each of them (peak ${mb(statsPeak)})`,
        value: seconds(statsMs),
        target: '',
      },
      atMost('gongjian rollup / sum of gongjian stats', ratio, ROLLUP_TARGETS.ratio, times),
      atMost(
        'gongjian rollup: peak RSS of its process (also with --json)',
        peak,
        ROLLUP_TARGETS.peakRssMb,
        mb,
      ),
      {
        metric: 'communities whose roll-up figures differ from gongjian stats --json',
        value: String(disagreements),
        target: '0',
        pass: disagreements === 0,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
