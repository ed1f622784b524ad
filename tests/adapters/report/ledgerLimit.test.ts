/**
 * The ledger refuses what a .docx cannot hold. A zip without zip64 (fflate writes none) holds 4 GiB;
 * building that much in a test is out of the question, so the limit is injected (DocumentTarget's
 * `limit`) and everything else is the real path: the sample plan, real JPEGs in 佐证材料, the
 * package streamed to disk. A refusal is the Chinese sentence, and nothing is half-written: the
 * previous document stays byte for byte and no temporary file is left beside it.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLedger } from '../../../adapters/report/build';
import { GongjianError } from '../../../shared/errors';
import type { PlanModel } from '../../../shared/model';
import { sampleWorkbook } from '../../../shared/sample';
import { validateWorkbook } from '../../../shared/validate';
import { writeJpeg } from '../../support/photos';
import { tempFolder } from '../workbook/helpers';

const folder = tempFolder();
afterAll(() => folder.remove());
const evidence = join(folder.dir, '佐证材料');
const out = join(folder.dir, 'plan-活动台账.docx');
const PREVIOUS = Buffer.from('the ledger written last week');
const scope = { from: '2026-01-01', to: '2026-12-31' };

let model: PlanModel;
let photoBytes = 0;

beforeAll(async () => {
  model = validateWorkbook(sampleWorkbook(2026), { asOf: '2026-12-31' }).model;
  const done = model.activities.filter((a) => a.status === 'done' && a.activityId).slice(0, 3);
  expect(done).toHaveLength(3);
  for (const [i, activity] of done.entries()) {
    const path = join(evidence, activity.activityId as string, '1.jpg');
    await writeJpeg(path, 800, 600, ['#c0392b', '#27ae60', '#2980b9'][i] as string, { noise: true });
    photoBytes += statSync(path).size;
  }
});

/** Writes the previous document, runs the ledger with `limit`, and returns what it threw and how many photos it copied. */
async function refusal(limit: number): Promise<GongjianError & { copied: number }> {
  writeFileSync(out, PREVIOUS);
  let copied = 0;
  const onPhoto = (done: number) => {
    copied = done;
  };
  const error = await writeLedger(model, scope, { evidence, out, limit, onPhoto }).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GongjianError);
  return Object.assign(error as GongjianError, { copied });
}

/** Nothing half-written: the previous document as it was, and nothing else beside it. */
function expectUntouched(): void {
  expect(readFileSync(out).equals(PREVIOUS)).toBe(true);
  expect(readdirSync(folder.dir).sort()).toEqual(['plan-活动台账.docx', '佐证材料']);
}

describe('a ledger larger than a .docx can hold', () => {
  it('is refused before a byte is written when its photos alone pass the limit', async () => {
    const error = await refusal(photoBytes - 1);
    expect(error.code).toBe('document_too_large');
    // Refused from the files' sizes: not one photo was copied before the refusal.
    expect(error.copied).toBe(0);
    expect(error.messageZh).toBe('文档超过 4 GB，无法写成 .docx：请用 --from/--to 或 --partner 分段生成');
    expectUntouched();
  });

  it('is refused while writing when the photos fit but the whole does not, leaving no partial file', async () => {
    // The photos fit; their zip headers and the document's XML take the package past the limit.
    const error = await refusal(photoBytes + 1024);
    expect(error.code).toBe('document_too_large');
    expect(error.messageZh).toMatch(/^文档超过 4 GB/);
    expectUntouched();
  });

  it('is written whole under the real limit: the refusals above came from the limit alone', async () => {
    writeFileSync(out, PREVIOUS);
    const written = await writeLedger(model, scope, { evidence, out });
    expect(written.photos).toBe(3);
    const media = Object.keys(unzipSync(readFileSync(out))).filter((name) => name.startsWith('word/media/'));
    expect(media).toHaveLength(3);
    expect(readdirSync(folder.dir).sort()).toEqual(['plan-活动台账.docx', '佐证材料']);
  });
});
