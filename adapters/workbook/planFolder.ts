/**
 * A folder of workbooks, one plan each: what `gongjian rollup DIR` reads and what
 * `npm start -- --district DIR` runs over. One rule for both, so the roll-up a 街道 writes by hand
 * and the one the local stack keeps current cover the same files.
 */

/** The roll-up workbook's default name, in the current folder or in the district's folder. */
export const DEFAULT_ROLLUP_FILE = '街道汇总.xlsx';

/**
 * The workbooks among a folder's file names, in name order: `.xlsx` files, leaving out office owner
 * files (`~$…`, an open workbook's lock) and hidden files, and the names `leaveOut` says (the
 * roll-up itself).
 */
export function workbookNames(
  names: readonly string[],
  leaveOut: (name: string) => boolean = () => false,
): string[] {
  return names
    .filter((name) => /\.xlsx$/i.test(name) && !name.startsWith('~$') && !name.startsWith('.'))
    .filter((name) => !leaveOut(name))
    .sort();
}
