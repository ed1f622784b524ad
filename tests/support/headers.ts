/**
 * Column headers as a blank template writes them, taken from the one definition
 * (`shared/columns.ts`): a test that needs a whole tab's header row asks for it here instead of
 * spelling the Chinese labels again, so a column added to the model reaches every such test.
 */
import { COLUMNS, type TableTabKey } from '../../shared/columns';

/** The tab's full header row, in the model's column order. */
export function headerOf(tab: TableTabKey): string[] {
  return COLUMNS[tab].map((column) => column.zh);
}

/** 单位 (partners): the full header row. */
export const PARTNER_HEADER = headerOf('partners');
/** 计划 (measures): the full header row. */
export const PLAN_HEADER = headerOf('plan');
/** 活动 (activities): the full header row. */
export const ACTIVITY_HEADER = headerOf('activities');
/** 节假日 (holidays): the full header row. */
export const HOLIDAY_HEADER = headerOf('holidays');
