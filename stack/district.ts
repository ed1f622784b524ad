/**
 * `npm start -- --district DIR`: the local stack over a 街道's folder of workbooks, one plan each,
 * keeping `DIR/街道汇总.xlsx` current. Nothing here computes a roll-up: the folder becomes a
 * district in the stack's database (functions/src/store/districtStore.ts) whose roll-up workbook is
 * that file, so each plan's sync recomputes it exactly as deployed — from the members' summaries,
 * coalesced (functions/src/districts/refresh.ts) — and the roll-up is the one `gongjian rollup DIR`
 * writes (the same folder rule, adapters/workbook/planFolder.ts).
 *
 * A plan's ID comes from its file name (a hash: IDs are ASCII, the names Chinese), so the database
 * kept between runs finds the same plans again; a workbook no longer in the folder leaves the
 * district at the next start.
 */

import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { accessError } from '../adapters/workbook/common';
import { DEFAULT_ROLLUP_FILE, workbookNames } from '../adapters/workbook/planFolder';
import { DistrictRefusal } from '../functions/src/store/districtStore';
import { DistrictCreateRequest, DistrictPeopleRequest } from '../shared/districtApi';
import { UnusableInputError } from '../shared/errors';
import type { LocalStack } from './stack';

/** The local district's ID: one stack, one district. */
export const LOCAL_DISTRICT = 'local';

/** One workbook of the folder and the plan it is. */
export interface DistrictWorkbook {
  planId: string;
  path: string;
}

/** The folder's workbooks (in name order) and where its roll-up goes. */
export interface DistrictFolder {
  dir: string;
  rollupPath: string;
  workbooks: DistrictWorkbook[];
}

/** The plan ID of a workbook in the folder: stable across runs, whatever characters its name has. */
export function districtPlanId(fileName: string): string {
  return `c-${createHash('sha256').update(fileName.normalize('NFC')).digest('hex').slice(0, 16)}`;
}

/** Lists the folder's workbooks; a folder without any is unusable (exit 2). */
export async function readDistrictFolder(dir: string): Promise<DistrictFolder> {
  const folder = resolve(dir);
  const rollupPath = join(folder, DEFAULT_ROLLUP_FILE);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    throw accessError(error, folder);
  }
  const workbooks = workbookNames(names, (name) => join(folder, name) === rollupPath).map((name) => ({
    planId: districtPlanId(name),
    path: join(folder, name),
  }));
  if (workbooks.length === 0) {
    throw new UnusableInputError(
      'no_tabs',
      `文件夹 ${folder} 中没有社区工作簿（.xlsx）：每个社区的计划放一个工作簿`,
      `The folder ${folder} holds no community workbook (.xlsx): put one workbook per community's plan in it`,
    );
  }
  return { dir: folder, rollupPath, workbooks };
}

/**
 * Makes the folder the stack's district — created on the first run, its members then the folder's
 * workbooks (every one synced already: a member must be a stored plan) — and recomputes the roll-up,
 * which writes `街道汇总.xlsx`. Later syncs keep it current by themselves. `viewers` (`--viewer`)
 * join the district's viewers: the 街道月报's recipients.
 */
export async function joinDistrict(
  stack: LocalStack,
  folder: DistrictFolder,
  viewers: readonly string[] = [],
): Promise<void> {
  const { districts, rollups, now } = stack.runtime;
  const request = DistrictCreateRequest.parse({ name: basename(folder.dir) || '街道' });
  await districts
    .create(LOCAL_DISTRICT, request, stack.devEmail, now(), { kind: 'xlsx', path: folder.rollupPath })
    .catch((error: unknown) => {
      if (!(error instanceof DistrictRefusal && error.code === 'district_exists')) throw error;
    });
  // `--viewer EMAIL`: the 街道 leaders the 街道月报 goes to, kept in the database for later runs.
  if (viewers.length > 0) {
    await districts.changePeople(LOCAL_DISTRICT, DistrictPeopleRequest.parse({ addViewers: viewers }));
  }
  const district = await districts.getDistrict(LOCAL_DISTRICT);
  const present = new Set(folder.workbooks.map((w) => w.planId));
  for (const planId of district?.plans ?? []) {
    if (!present.has(planId)) await districts.removePlan(LOCAL_DISTRICT, planId);
  }
  for (const { planId } of folder.workbooks) await districts.addPlan(LOCAL_DISTRICT, planId);
  await rollups.changed(LOCAL_DISTRICT);
}
