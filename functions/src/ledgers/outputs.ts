/**
 * Where a ledger built through the API lands (SPEC §11), by the plan's workbook:
 *   - a local .xlsx (the local stack): beside the workbook as `<name>-活动台账.docx`, exactly where
 *     `gongjian ledger` writes it, with the photos of `佐证材料/` beside it. The email names the
 *     file's path: the office's computer runs the stack and holds the file, and a path opens it
 *     there without a server answering for it — an URL of the stack would stop working whenever
 *     the stack is not running, and with `--lan` would hand a phone on the office network the
 *     whole ledger.
 *   - a Google Sheet (deployed, or against the Storage emulator): the photos are copied from
 *     Cloud Storage into a private temporary folder one at a time, the ledger is written there by
 *     the same writer, stored as `plans/{planId}/ledgers/{jobId}.docx` (never public), and the
 *     temporary folder removed whatever happens. The link is the `form` function's capability
 *     link (requests/cloudPhotoStore.ts). On Cloud Functions the temporary folder is memory: the
 *     trigger is given the memory for it (triggers/onLedgerRequested.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { GongjianError } from '../../../shared/errors';
import { isSafeFolderName } from '../../../shared/evidence';
import { type LedgerScope, ledgerActivities } from '../../../shared/ledger';
import type { PlanModel } from '../../../shared/model';
import type { CloudPhotoStore } from '../requests/cloudPhotoStore';
import type { WorkbookLocation } from '../store/planStore';

/** What a written ledger holds and where it is. */
export interface WrittenLedger {
  activities: number;
  photos: number;
  /** Files left out: not JPEGs that could be read. */
  skipped: number;
  where: { kind: 'url'; url: string } | { kind: 'file'; path: string };
}

/** Writes a job's ledger where the plan's photos are. */
export interface LedgerOutput {
  serves(location: WorkbookLocation): boolean;
  write(
    planId: string,
    location: WorkbookLocation,
    jobId: string,
    model: PlanModel,
    scope: LedgerScope,
  ): Promise<WrittenLedger>;
}

/** Beside a local .xlsx workbook, as the CLI writes it. */
export const localLedgerOutput: LedgerOutput = {
  serves: (location) => location.kind === 'xlsx',
  write: async (_planId, location, _jobId, model, scope) => {
    if (location.kind !== 'xlsx') throw new Error('not a local workbook');
    // Loaded on use: docx, fflate and the photo code are no part of a cold start.
    const [{ evidenceRoot }, { ledgerBesideWorkbook, writeLedger }, { officeLockOf }] = await Promise.all([
      import('../../../adapters/photos/folderStore'),
      import('../../../adapters/report/build'),
      import('../../../adapters/workbook/fileGuard'),
    ]);
    const out = ledgerBesideWorkbook(location.path);
    const closed = async () => {
      if (await officeLockOf(out)) {
        throw new GongjianError(
          'document_open',
          `上一份活动台账正在 Word/WPS/LibreOffice 中打开（${basename(out)}），请关闭后再生成`,
          `The previous ledger is open in an office program (${basename(out)}); close it and ask again`,
        );
      }
    };
    await closed();
    const written = await writeLedger(model, scope, {
      evidence: evidenceRoot(location.path, false),
      out,
      beforeReplace: closed,
    });
    return {
      activities: written.ledger.activities,
      photos: written.photos,
      skipped: written.skipped.length,
      where: { kind: 'file', path: out },
    };
  },
};

/** In Cloud Storage behind a capability link, for a plan whose workbook is a Google Sheet. */
export function cloudLedgerOutput(store: CloudPhotoStore): LedgerOutput {
  return {
    serves: (location) => store.serves(location),
    write: async (planId, _location, jobId, model, scope) => {
      const { writeLedger } = await import('../../../adapters/report/build');
      const folder = await mkdtemp(join(tmpdir(), 'gongjian-ledger-'));
      try {
        const ids = ledgerActivities(model, scope).flatMap((a) =>
          a.activityId !== undefined && isSafeFolderName(a.activityId) ? [a.activityId] : [],
        );
        const evidence = join(folder, 'photos');
        await store.copyPhotosTo(planId, ids, evidence);
        const out = join(folder, 'ledger.docx');
        const written = await writeLedger(model, scope, { evidence, out });
        await store.putLedger(planId, jobId, out);
        return {
          activities: written.ledger.activities,
          photos: written.photos,
          skipped: written.skipped.length,
          where: { kind: 'url', url: await store.ledgerLink(planId, jobId) },
        };
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
  };
}

/** The first output that serves a plan's workbook answers for it. */
export function firstLedgerOutput(...outputs: readonly LedgerOutput[]): LedgerOutput {
  const of = (location: WorkbookLocation) => outputs.find((output) => output.serves(location));
  return {
    serves: (location) => of(location) !== undefined,
    write: (planId, location, jobId, model, scope) => {
      const output = of(location);
      if (!output) throw new Error('no ledger output serves this plan');
      return output.write(planId, location, jobId, model, scope);
    },
  };
}
