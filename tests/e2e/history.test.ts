/**
 * The change log and restore end to end (§12), as staff live it with `npm start`: three rows are
 * deleted from 活动 in the .xlsx and the file is saved; the watching stack syncs; `gongjian history`
 * names the three deletions and who made them (the OS user, 「本地」); `gongjian restore` brings one
 * back into the file's 活动 tab with its ID and values, and into the statistics; restoring it again
 * adds no second row; the generated tab 变更记录 lists the deletions. A partner deleted from 共建单位
 * comes back the same way, into its own tab. One field overwritten in the file comes back with
 * `restore --field` into its cell and the statistics.
 */
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChangeEntry } from '../../shared/history';
import { todayIn } from '../../shared/today';
import { tempFolder } from '../adapters/workbook/helpers';
import { gongjian, json } from '../cli/run-cli';
import { activityRowsNow } from '../support/activityTab';
import { eventually } from '../support/firestore';
import { type StackRun, startStack, stopStack, untilWatching } from './run-start';

const folder = tempFolder();
let stack: StackRun | undefined;

afterAll(async () => {
  await stopStack(stack);
  folder.remove();
}, 30_000);

/**
 * Deletes rows of a tab by ID (column A) as a spreadsheet program saves: a whole new file put in
 * place. Each removed row's ID and its title (活动名称, column E) or a partner's name (column B).
 */
async function deleteRows(path: string, ids: string[], tab = '活动'): Promise<Record<string, string>[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  const sheet = workbook.getWorksheet(tab) as ExcelJS.Worksheet;
  const removed: Record<string, string>[] = [];
  for (let n = sheet.rowCount; n >= 2; n--) {
    const row = sheet.getRow(n);
    if (ids.includes(row.getCell(1).text)) {
      removed.push({ id: row.getCell(1).text, title: row.getCell(tab === '活动' ? 5 : 2).text });
      sheet.spliceRows(n, 1);
    }
  }
  const saved = `${path}.saving.xlsx`;
  await workbook.xlsx.writeFile(saved);
  renameSync(saved, path);
  return removed;
}

/** 活动's 参与人数 column in the sample (1-based, as ExcelJS counts). */
const PARTICIPANTS_COLUMN = 7;

/** Sets one cell of the 活动 row holding an ID, as a spreadsheet program saves: a new file put in place. */
async function setCell(path: string, id: string, column: number, value: number): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  const sheet = workbook.getWorksheet('活动') as ExcelJS.Worksheet;
  for (let n = 2; n <= sheet.rowCount; n++)
    if (sheet.getRow(n).getCell(1).text === id) sheet.getRow(n).getCell(column).value = value;
  const saved = `${path}.saving.xlsx`;
  await workbook.xlsx.writeFile(saved);
  renameSync(saved, path);
}

describe('history and restore through the local stack', () => {
  it('names three deleted rows and restores one into 活动 and the statistics, once', async () => {
    const path = join(folder.dir, 'plan.xlsx');
    stack = startStack([path]);
    const _run = await untilWatching(stack);
    const counted = () =>
      json<{ plan: { activities: number } }>(gongjian(['stats', path, '--json'])).plan.activities;
    const before = counted();
    // Three accepted, done activities of past days (each counts in the statistics): the first
    // sync logged every accepted row's creation.
    const today = todayIn(new Date(), 'Asia/Shanghai');
    const created = json<ChangeEntry[]>(gongjian(['history', path, '--json']));
    const ids = created
      .filter((e) => e.tab === 'activities' && e.op === 'created')
      .filter((e) => e.data?.status === 'done' && String(e.data?.date) < today)
      .map((e) => e.id)
      .slice(0, 3);
    expect(ids).toHaveLength(3);
    const removed = await deleteRows(path, ids);
    expect(removed).toHaveLength(3);

    const deletions = await eventually(
      () => {
        const history = gongjian(['history', path, '--json']);
        if (history.code !== 0) return undefined;
        const found = json<ChangeEntry[]>(history).filter((e) => e.op === 'deleted');
        return found.length >= 3 ? found : undefined;
      },
      { timeoutMs: 120_000, what: 'the three deletions in gongjian history' },
    );
    expect(deletions.map((e) => e.id).sort()).toEqual([...ids].sort());
    for (const deletion of deletions) {
      expect(deletion).toMatchObject({ tab: 'activities', source: 'sync' });
      expect(deletion.by).toMatch(/（本地）$/);
    }
    // The table names them too, and --row picks one record's changes.
    const table = gongjian(['history', path, '--row', ids[0] as string]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain(ids[0]);
    expect(table.stdout).toContain('（删除）');
    expect(table.stdout).not.toContain(ids[1]);

    const target = removed.find((r) => r.id === ids[0]) as Record<string, string>;
    const restored = gongjian(['restore', path, target.id as string]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain('已恢复');
    const back = await eventually(
      async () => (await activityRowsNow(path))?.find((r) => r.记录编号 === target.id),
      { timeoutMs: 120_000, what: 'the restored row in 活动' },
    );
    expect(back.活动名称).toBe(target.title);
    // Twice is once: the same deletion is not undone again.
    const again = gongjian(['restore', path, target.id as string]);
    expect(again.stdout).toContain('已恢复过');
    // The file with the row back in counts it again (the two others stay deleted).
    expect(counted()).toBe(before - 2);
    expect((await activityRowsNow(path))?.filter((r) => r.记录编号 === target.id)).toHaveLength(1);

    // A partner too: deleting P11 from 共建单位 refuses the activities that name it; restoring it
    // puts its row back into 共建单位 with its values, and those activities count again.
    const withPartner = counted();
    const [partner] = await deleteRows(path, ['P11'], '共建单位');
    expect(partner?.id).toBe('P11');
    await eventually(
      () => {
        const history = gongjian(['history', path, '--row', 'P11', '--json']);
        return history.code === 0 && json<ChangeEntry[]>(history)[0]?.op === 'deleted';
      },
      { timeoutMs: 120_000, what: 'the partner deletion in gongjian history' },
    );
    expect(counted()).toBeLessThan(withPartner);
    const partnerBack = gongjian(['restore', path, 'P11']);
    expect(partnerBack.code, partnerBack.stderr).toBe(0);
    expect(partnerBack.stdout).toContain('「共建单位」P11：已恢复');
    const partnerRow = await eventually(
      async () => (await activityRowsNow(path, '共建单位'))?.find((r) => r.单位编号 === 'P11'),
      { timeoutMs: 120_000, what: 'the restored partner in 共建单位' },
    );
    expect(partnerRow.单位名称).toBe(partner?.title);
    expect(counted()).toBe(withPartner);

    // One field: staff overwrite an activity's 参与人数 and save; `restore --field` puts the value
    // before that change back into the cell of the .xlsx and into the statistics.
    const people = () =>
      json<{ plan: { participants: number } }>(gongjian(['stats', path, '--json'])).plan.participants;
    const kept = created.find(
      (e) =>
        e.tab === 'activities' &&
        !ids.includes(e.id) &&
        e.data?.status === 'done' &&
        String(e.data?.date) < today &&
        typeof e.data?.participants === 'number',
    ) as ChangeEntry;
    const original = kept.data?.participants as number;
    const total = people();
    await setCell(path, kept.id, PARTICIPANTS_COLUMN, original + 40);
    await eventually(
      () => {
        const history = gongjian(['history', path, '--row', kept.id, '--json']);
        return history.code === 0 && json<ChangeEntry[]>(history)[0]?.op === 'updated';
      },
      { timeoutMs: 120_000, what: 'the edit of 参与人数 in gongjian history' },
    );
    expect(people()).toBe(total + 40);
    const field = gongjian(['restore', path, kept.id, '--field', '参与人数']);
    expect(field.code, field.stderr).toBe(0);
    expect(field.stdout).toContain(`已恢复为 ${original}`);
    const cell = await eventually(
      async () => {
        const row = (await activityRowsNow(path))?.find((r) => r.记录编号 === kept.id);
        return row && Number(row.参与人数) === original ? row : undefined;
      },
      { timeoutMs: 120_000, what: 'the restored value in the 参与人数 cell' },
    );
    expect(Number(cell.参与人数)).toBe(original);
    expect(people()).toBe(total);
    const [restoredChange] = json<ChangeEntry[]>(gongjian(['history', path, '--row', kept.id, '--json']));
    expect(restoredChange).toMatchObject({
      source: 'restore',
      op: 'updated',
      fields: [{ field: 'participants', old: original + 40, new: original }],
    });
    // Twice is once; a column that never changed, and one the tab lacks, are refused in Chinese.
    expect(gongjian(['restore', path, kept.id, '--field', 'participants']).stdout).toContain(
      '已是恢复后的值',
    );
    const never = gongjian(['restore', path, kept.id, '--field', '活动名称']);
    expect(never.code).toBe(2);
    expect(never.stderr).toContain('没有修改过');
    expect(gongjian(['restore', path, kept.id, '--field', '不存在的列']).stderr).toContain('此表没有这一列');
    // 变更记录 in the workbook lists the deletions.
    await eventually(
      async () => {
        const workbook = new ExcelJS.Workbook();
        await workbook.xlsx.readFile(path).catch(() => undefined);
        const sheet = workbook.getWorksheet('变更记录');
        if (!sheet) return false;
        const text = sheet.getSheetValues().flat().map(String).join(' ');
        return ids.every((id) => text.includes(id));
      },
      { timeoutMs: 60_000, what: 'the 变更记录 tab naming the deleted rows' },
    );
  }, 420_000);
});
