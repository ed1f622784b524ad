/**
 * The local stack runs on the clock it is given and leaves the process's environment alone
 * (stack/stack.ts): a pinned clock is what the statistics' date, their computation stamp and the
 * saved database's name say, and starting and stopping a stack (triggers delivered in between)
 * writes no environment variable — firebase-functions is handed its admin app instead.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataFolderOf } from '../../adapters/stackEndpoint';
import { writeSample } from '../../adapters/workbook/sample';
import { startLocalStack } from '../../stack/stack';
import { syncLocalWorkbook } from '../../stack/syncWorkbook';
import { tempFolder } from '../adapters/workbook/helpers';
import { pinnedClock } from '../support/clock';

const folder = tempFolder();
afterAll(() => folder.remove());

// Noon in Shanghai on a day that is not today, so the machine's clock could not produce it.
const PINNED = new Date('2025-11-03T04:00:00.000Z');

describe('the local stack’s clock and environment', () => {
  it('stamps what its clock says and writes nothing into process.env', async () => {
    const path = join(folder.dir, 'plan.xlsx');
    await writeSample(path, 2025, '2025-11-03');
    // libvips sets VIPSHOME in the C environment when it initialises (sharp, on the first photo
    // the sync looks at): native and not ours, so it is loaded before the snapshot.
    await import('sharp');
    const before = { ...process.env };
    const stack = await startLocalStack({ workbookPath: path, clock: pinnedClock(PINNED) });
    try {
      expect({ ...process.env }).toEqual(before);
      // The trigger recomputes the statistics with the runtime's clock.
      const { stats } = await syncLocalWorkbook(stack, 'local');
      expect(stats.asOf).toBe('2025-11-03');
      expect(stats.computedAt).toBe(PINNED.toISOString());
      await stack.persist();
      const current = readFileSync(join(dataFolderOf(path), 'current'), 'utf8').trim();
      expect(current).toMatch(new RegExp(`^export-${PINNED.getTime()}-\\d+$`));
    } finally {
      await stack.stop();
    }
    expect({ ...process.env }).toEqual(before);

    // A second stack on the same stopped clock saves under a new name, over the first one's data.
    const again = await startLocalStack({ workbookPath: path, clock: pinnedClock(PINNED) });
    try {
      const previous = readFileSync(join(dataFolderOf(path), 'current'), 'utf8').trim();
      await again.persist();
      const next = readFileSync(join(dataFolderOf(path), 'current'), 'utf8').trim();
      expect(next).not.toBe(previous);
      expect(next).toMatch(new RegExp(`^export-${PINNED.getTime()}-\\d+$`));
      expect((await again.runtime.store.getStats('local'))?.asOf).toBe('2025-11-03');
    } finally {
      await again.stop();
    }
    expect({ ...process.env }).toEqual(before);
  }, 240_000);
});
