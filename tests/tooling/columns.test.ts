/**
 * A 活动 column is one definition (shared/columns.ts) plus its model field, its validation rule and
 * the sample's value; the phone form and the add-on's 新增活动记录 dialog follow from the definition. A
 * place that must say something about a new column and does not fails to compile. These tests plant
 * the mistakes in a scratch copy of shared/ and sheets-addon/src/, type-check it as `npm run
 * typecheck` does, and expect each refusal — then make the complete change and expect it to compile
 * and to reach the form and the dialog with no other edit.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { plant, typecheck, useScratchCopies } from '../support/scratch';

const scratchCopy = useScratchCopies('columns');

/** A scratch copy of the add-on and shared/, checked with the add-on's settings (no Node types), as its bundle is. */
const scratch = () =>
  scratchCopy(['shared', 'sheets-addon/src'], 'sheets-addon/tsconfig.json', ['sheets-addon/src', 'shared']);

const ACTIVITY_MODEL = 'export const Activity = z.object({';
const ACTIVITY_COLUMNS = '  activities: [';
/** The model field and the column of the complete change. */
const WEATHER_FIELD = '  weather: z.string().optional(),';
const WEATHER_COLUMN =
  "    { field: 'weather', zh: '天气', en: 'Weather', kind: { type: 'text' }, entry: { by: 'anyone' } },";

describe('a new 活动 column', () => {
  it('fails to compile wherever a place that must follow it was missed', () => {
    const dir = scratch();
    // 1. A column added to the model but not to the form: with no definition, no form, dialog or
    //    sheet could write it.
    plant(dir, 'shared/model.ts', ACTIVITY_MODEL, '  photoCount: z.number().optional(),');
    // 2. A column whose field the model lacks (a typo): validation would read a value nobody keeps.
    plant(
      dir,
      'shared/columns.ts',
      ACTIVITY_COLUMNS,
      "    { field: 'wheather', zh: '天色', en: 'Sky', kind: { type: 'text' } },",
    );
    // 3. Model and column, but neither the validation rule nor the sample's value.
    plant(dir, 'shared/model.ts', ACTIVITY_MODEL, WEATHER_FIELD);
    plant(dir, 'shared/columns.ts', ACTIVITY_COLUMNS, WEATHER_COLUMN);
    // 4. A new way to enter a value that neither the phone form nor the dialog can show.
    plant(dir, 'shared/entry.ts', 'export type EntryControl =', "  | 'time'");

    const { status, errors } = typecheck(dir);
    expect(status).not.toBe(0);
    const at = (file: string, word: string) =>
      errors.filter((line) => line.startsWith(file) && line.includes(word));
    expect(at('shared/columns.ts', '"photoCount"'), errors.join('\n')).not.toEqual([]);
    expect(at('shared/columns.ts', '"wheather"'), errors.join('\n')).not.toEqual([]);
    expect(at('shared/validate/activities.ts', 'weather'), errors.join('\n')).not.toEqual([]);
    expect(at('shared/sample.ts', 'weather'), errors.join('\n')).not.toEqual([]);
    expect(at('shared/requestForm.ts', 'time'), errors.join('\n')).not.toEqual([]);
    expect(at('sheets-addon/src/addActivity.ts', 'time'), errors.join('\n')).not.toEqual([]);
  }, 240_000);

  it('compiles once the model, the column, its rule and the sample say it — and is on the form and in the dialog', async () => {
    const dir = scratch();
    plant(dir, 'shared/model.ts', ACTIVITY_MODEL, WEATHER_FIELD);
    plant(dir, 'shared/columns.ts', ACTIVITY_COLUMNS, WEATHER_COLUMN);
    plant(
      dir,
      'shared/validate/activities.ts',
      "      notes: check.text('notes'),",
      "      weather: check.text('weather'),",
    );
    plant(dir, 'shared/sample.ts', '    activityId: a.id,', '    weather: undefined,');
    const { status, errors } = typecheck(dir);
    expect(errors).toEqual([]);
    expect(status).toBe(0);

    // What the two hand-entry forms offer, from the scratch copy's own code.
    writeFileSync(
      join(dir, 'probe.ts'),
      [
        "import { ACTIVITY_FORM_FIELDS } from './shared/requestForm';",
        "import { dialogRows } from './sheets-addon/src/addActivity';",
        'export const form = [...ACTIVITY_FORM_FIELDS];',
        "export const dialog = dialogRows({}).flat().map((field) => field.name + ':' + field.label);",
      ].join('\n'),
    );
    const bundle = await build({
      entryPoints: [join(dir, 'probe.ts')],
      bundle: true,
      platform: 'neutral',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    const code = bundle.outputFiles[0]?.text ?? '';
    const probe = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
    expect(probe.form).toContain('weather');
    expect(probe.dialog).toContain('weather:天气');
  }, 240_000);
});
