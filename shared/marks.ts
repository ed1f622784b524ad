/**
 * How the system marks what it writes into staff's workbook, identical from every writer (the
 * .xlsx and Google Sheets adapters, the add-on), so each recognises and clears the others' marks
 * and never touches staff's own notes and colours.
 */
import type { Severity } from './issues';

/** Every note (and protection) the system writes starts with this. */
export const ISSUE_NOTE_MARKER = '【共建助手】';

/** The fill of a marked cell (RGB hex). Unusual tints on purpose: staff rarely pick exactly these. */
export const ISSUE_FILL_RGB: Record<Severity, string> = { error: 'FFDCDC', warning: 'FFF4C2' };

/** The description of the warning-only protection on generated tabs. */
export const GENERATED_TAB_PROTECTION = `${ISSUE_NOTE_MARKER}自动生成的表，每次同步时整表重写，请勿手动修改`;
