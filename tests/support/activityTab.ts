/**
 * The 活动 tab of a workbook file as it is on disk now, for the tests and the benchmark that watch
 * the local stack append rows: each data row's cells by header text. Undefined while the stack is
 * replacing the file (it is briefly absent or half-written) or when the tab is missing.
 */
import ExcelJS from 'exceljs';

/** The 活动 tab's (or another tab's) data rows, each a map from header text to the cell's text. */
export async function activityRowsNow(
  path: string,
  tab = '活动',
): Promise<Record<string, string>[] | undefined> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(path);
  } catch {
    return undefined;
  }
  const sheet = workbook.getWorksheet(tab);
  if (!sheet) return undefined;
  const header = (sheet.getRow(1).values as unknown[]).map((value) => String(value ?? ''));
  const rows: Record<string, string>[] = [];
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const cells: Record<string, string> = {};
    header.forEach((name, column) => {
      if (name !== '') cells[name] = String(row.getCell(column).text ?? '');
    });
    rows.push(cells);
  });
  return rows;
}
