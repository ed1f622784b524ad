/**
 * The mass-deletion guard (§12): the commonest way a shared spreadsheet loses data is a person
 * clearing a tab or deleting a filtered range, and a sync makes the store equal to the sheet. So a
 * sync that would delete at least 设置 → 删除确认比例 (20 %) of a tab's stored records and more than
 * 删除确认行数 (10) rows — or every record of a tab that had any — deletes nothing in that tab until someone
 * confirms exactly that deletion; its other changes land.
 *
 * Guarantees argued here and relied on by the sync (functions/src/sync/syncPlan.ts):
 * - The decision is a function of two counts and the setting, in integers (a share is compared as
 *   `deleting × 100 ≥ percent × stored`), so 20 % of 55 is not missed by a rounding error.
 * - A held deletion is named by a token of its exact set of records (the sync derives it), so a
 *   confirmation of one set never deletes another: a workbook changed after the confirmation holds
 *   again, with the new counts.
 * - Statistics stay exact: held records stay in the store and count, and every generated tab says
 *   so until the deletion is confirmed or undone.
 */
import * as z from 'zod';
import { RECORD_TABS, type RecordTabKey } from './columns';
import { TAB_LABELS } from './i18n';
import type { Settings } from './model';

/** 设置 → 删除确认比例 when the workbook does not set it: 20 %. */
export const DEFAULT_DELETION_GUARD_PERCENT = 20;
/** 设置 → 删除确认行数 when the workbook does not set it: a deletion of at most 10 rows never waits. */
export const DEFAULT_DELETION_GUARD_ROWS = 10;

/** The thresholds: the share in percent (0–100, two decimals at most) and the row floor. */
export interface DeletionGuard {
  percent: number;
  rows: number;
}

/** The plan's thresholds: its settings, else the defaults. */
export function deletionGuardOf(
  settings: Pick<Settings, 'deletionGuardPercent' | 'deletionGuardRows'>,
): DeletionGuard {
  return {
    percent: settings.deletionGuardPercent ?? DEFAULT_DELETION_GUARD_PERCENT,
    rows: settings.deletionGuardRows ?? DEFAULT_DELETION_GUARD_ROWS,
  };
}

/**
 * Whether deleting `deleting` of a tab's `stored` records waits for confirmation: all of them (when
 * there were any), or more than `guard.rows` and at least `guard.percent` % of them.
 */
export function deletionNeedsConfirmation(deleting: number, stored: number, guard: DeletionGuard): boolean {
  if (deleting <= 0 || stored <= 0) return false;
  if (deleting >= stored) return true;
  // Percent has at most two decimals (settings): ×100 keeps both sides whole numbers.
  return deleting > guard.rows && deleting * 10_000 >= Math.round(guard.percent * 100) * stored;
}

/** A deletion a sync held back: the tab, how many of its records, out of how many, and its set's token. */
export const PendingDeletion = z.object({
  tab: z.enum(RECORD_TABS as [RecordTabKey, ...RecordTabKey[]]),
  count: z.number().int().positive(),
  total: z.number().int().positive(),
  /** Names exactly the records to delete: a confirmation must repeat it. */
  token: z.string().regex(/^[0-9a-f]{16,64}$/),
});
export type PendingDeletion = z.infer<typeof PendingDeletion>;

/**
 * What a sync says of a held deletion, in Chinese and English: 「本次同步将删除「活动」中的 N 行（共 M
 * 行）。如确属有意，请确认后再同步。」. `changed`: a confirmation was given for another set of rows.
 */
export function pendingDeletionSentence(
  pending: Pick<PendingDeletion, 'tab' | 'count' | 'total'>,
  changed = false,
): [zh: string, en: string] {
  const label = TAB_LABELS[pending.tab];
  const zh = `本次同步将删除「${label.zh}」中的 ${pending.count} 行（共 ${pending.total} 行）。如确属有意，请确认后再同步。`;
  const en = `This sync would delete ${pending.count} of the ${pending.total} rows of "${label.zh}" (${label.en}). If that is intended, confirm and sync again.`;
  return changed
    ? [
        `要删除的行在确认之后有了变化，没有删除。${zh}`,
        `The rows to delete changed after the confirmation; nothing was deleted. ${en}`,
      ]
    : [zh, en];
}

/** What the generated tabs say of a held deletion: nothing is deleted yet, and the figures include it. */
export function pendingDeletionNote(pending: Pick<PendingDeletion, 'tab' | 'count' | 'total'>): string {
  const label = TAB_LABELS[pending.tab].zh;
  return (
    `「${label}」中的 ${pending.count} 行（共 ${pending.total} 行）已从表格删除，待确认后才从云端删除；` +
    '在此之前各表的统计数字仍包含这些行。'
  );
}
