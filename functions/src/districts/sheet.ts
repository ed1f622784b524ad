/**
 * A district's roll-up in its Google Sheet (§13): the four roll-up tabs written by the Sheets
 * adapter (adapters/workbook/sheets.ts writeRollup — the tables the .xlsx writer takes), and the
 * checks that make a binding safe to keep.
 *
 * Why a binding is checked by writing. The functions' service account can edit every spreadsheet
 * shared with it; what a district admin must prove is that this one is shared with it as an editor.
 * Opening it proves only reading, so the binding route writes the roll-up once before it keeps the
 * binding: a sheet not shared (403) or not found (404) is refused at once in Chinese, and nothing
 * is bound — instead of a binding kept that every recomputation would fail to write.
 *
 * Why a plan's sheet is refused, at binding and at every write. A plan's sheet has tabs named 按类别,
 * 按月 and 关注事项 too (the plan's generated tabs, §6): a roll-up written there would overwrite
 * them. Such a sheet carries a plan marker (store/binding.ts), which one read finds; the marker may
 * be added after the binding (the add-on's 初始化 in the sheet), so every write looks again.
 */

import { rollupWorkbook } from '../../../adapters/workbook/port';
import type { SheetsWorkbook } from '../../../adapters/workbook/sheets';
import { SheetsApiError } from '../../../adapters/workbook/sheetsRetry';
import type { DistrictRollup } from '../../../shared/rollup';
import { DistrictRefusal } from '../store/districtStore';

/** Writes a district's roll-up into the Google Sheet `spreadsheetId`; refuses as the module says. */
export async function writeDistrictSheet(
  sheet: SheetsWorkbook,
  spreadsheetId: string,
  rollup: DistrictRollup,
): Promise<void> {
  try {
    if ((await sheet.planMarkers()).length > 0) throw planSheet(spreadsheetId);
    await sheet.writeRollup(rollupWorkbook(rollup));
  } catch (error) {
    if (
      error instanceof SheetsApiError &&
      (error.code === 'sheets_forbidden' || error.code === 'sheets_not_found')
    ) {
      throw unreachable(spreadsheetId, error);
    }
    throw error;
  }
}

function unreachable(spreadsheetId: string, error: SheetsApiError): DistrictRefusal {
  const missing = error.code === 'sheets_not_found';
  return new DistrictRefusal(
    'district_sheet_unreachable',
    missing
      ? `找不到 Google 表格 ${spreadsheetId}：请检查表格链接中的 ID，并把表格共享给云函数的服务账号（编辑者）后再绑定`
      : `服务账号无法编辑 Google 表格 ${spreadsheetId}：请把表格共享给云函数的服务账号（编辑者）后再绑定`,
    missing
      ? `Google Sheet ${spreadsheetId} not found: check the ID in its link and share it with the functions' service account as an editor, then bind it again`
      : `The service account cannot edit Google Sheet ${spreadsheetId}: share it with the functions' service account as an editor, then bind it again`,
  );
}

function planSheet(spreadsheetId: string): DistrictRefusal {
  return new DistrictRefusal(
    'district_sheet_is_plan',
    `Google 表格 ${spreadsheetId} 是一个社区计划的表格，街道汇总不能写入其中（会覆盖它的 按类别、按月、关注事项）：请新建一份表格用于街道汇总`,
    `Google Sheet ${spreadsheetId} is a plan's sheet; the roll-up would overwrite its generated tabs. Create a new spreadsheet for the district's roll-up`,
  );
}
