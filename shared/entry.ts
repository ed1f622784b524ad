/**
 * How a person enters an activity by hand, derived from the 活动 columns (columns.ts): the phone
 * form of an update request (requestForm.ts) and the add-on's 新增活动记录 dialog
 * (sheets-addon/src/addActivity.ts) both lay out these fields, in the columns' order, with the
 * columns' labels, units and required marks. A new column with an `entry` appears on both; a kind
 * of value neither knows how to take fails to compile here (CONTROL_OF_KIND is exhaustive), and so
 * does a control a renderer has no markup for (their own exhaustive tables). Pure.
 */
import { type ActivityField, COLUMNS, type ColumnKind, type ColumnOf } from './columns';
import { enumOptions } from './normalize';

/** What a person uses to enter a value. */
export type EntryControl =
  /** A calendar date. */
  | 'date'
  /** One of the plan's measures (the only ID an activity's author names). */
  | 'measure'
  /** Ticks among the plan's partner units. */
  | 'partners'
  /** One line of text. */
  | 'line'
  /** Several lines of text. */
  | 'lines'
  | 'integer'
  | 'decimal'
  /** A web address. */
  | 'url'
  /** One of a fixed list of labels (the column's enum). */
  | 'choice';

/** How a value of each kind is entered: exhaustive, so a new kind of column must say. */
const CONTROL_OF_KIND: Record<ColumnKind['type'], EntryControl> = {
  id: 'measure',
  text: 'line',
  list: 'partners',
  emails: 'line',
  email: 'line',
  phone: 'line',
  url: 'url',
  date: 'date',
  number: 'decimal',
  integer: 'integer',
  enum: 'choice',
};

/** What a web address must start with, said next to its field. */
const URL_HINT = 'http:// 或 https://';

/** One field of the hand-entry forms. */
export interface EntryField {
  field: ActivityField;
  /** The column's Chinese name with its unit: `服务时长（小时）`. */
  label: string;
  control: EntryControl;
  required: boolean;
  /** What the value must look like, where the label alone does not say (a web address's scheme). */
  hint?: string;
  /** The longest text the column takes, where it has a bound of its own (a title). */
  maxLength?: number;
  /** The labels a choice offers, in the spec's order. */
  options?: string[];
  /** Kept after a row is added: the next row usually repeats it. */
  repeats: boolean;
}

function entryField(column: ColumnOf<'activities'>): EntryField {
  const { kind, entry } = column;
  const control = entry?.multiline ? 'lines' : CONTROL_OF_KIND[kind.type];
  return {
    field: column.field,
    label: entry?.unit ? `${column.zh}（${entry.unit}）` : column.zh,
    control,
    required: column.required === true,
    ...(control === 'url' ? { hint: URL_HINT } : {}),
    ...(kind.type === 'text' && kind.max !== undefined ? { maxLength: kind.max } : {}),
    ...(kind.type === 'enum' ? { options: enumOptions(kind.of).zh } : {}),
    repeats: entry?.repeats === true,
  };
}

/**
 * The fields a person enters for a new activity, in the columns' order: those anyone with an
 * update-request link may give (the phone form), or with the staff's own as well (the dialog).
 */
export function entryFields(who: 'link' | 'staff'): EntryField[] {
  return COLUMNS.activities
    .filter((column) => column.entry !== undefined && (who === 'staff' || column.entry.by === 'anyone'))
    .map(entryField);
}
