/**
 * Photos staff drop into `佐证材料/<记录编号>/` beside a local workbook (SPEC §11), processed at the
 * next sync the way the form's are: each dropped file becomes the folder's next stored photo
 * (n.jpg: upright, ≤ 2048 px, JPEG, no metadata), and the original is removed only after the
 * processed copy is written, fsynced and its name synced into the folder — a crash in between
 * leaves both, never neither (the next sync then processes the original again: a duplicate photo
 * at worst, never a lost one). A file that is no usable photo stays as it is, and is reported.
 *
 * Only folders named after an activity the workbook holds are looked into, and only regular files
 * (no links followed, nothing hidden, no temporary file of ours).
 */
import { lstat, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  EVIDENCE_FOLDER,
  isSafeFolderName,
  isStoredPhotoName,
  PHOTO_MAX_BYTES,
  photoErrorMessage,
} from '../../shared/evidence';
import { syncFolder } from '../workbook/common';
import { appendPhoto, evidenceRoot, storedPhotos } from './folderStore';
import { processPhoto } from './process';

/** What one pass did: activities with stored photos, photos processed, files left alone and why. */
export interface DropInOutcome {
  /** Activity IDs whose folder holds at least one stored photo (after this pass). */
  withPhotos: string[];
  processed: number;
  refused: { file: string; message: string }[];
}

/** Processes the dropped-in photos of the given activities' folders beside a workbook. */
export async function processDropIns(
  workbookPath: string,
  activityIds: Iterable<string>,
): Promise<DropInOutcome> {
  const root = evidenceRoot(workbookPath, false);
  const outcome: DropInOutcome = { withPhotos: [], processed: 0, refused: [] };
  const present = new Set(await readdir(root).catch(() => [] as string[]));
  for (const activityId of new Set(activityIds)) {
    if (!present.has(activityId) || !isSafeFolderName(activityId)) continue;
    const folder = join(root, activityId);
    if (!(await lstat(folder)).isDirectory()) continue;
    for (const name of (await readdir(folder)).sort()) {
      if (isStoredPhotoName(name) || name.startsWith('.')) continue;
      const path = join(folder, name);
      const info = await lstat(path);
      if (!info.isFile()) continue;
      const label = `${EVIDENCE_FOLDER}/${activityId}/${name}`;
      // Over the limit is refused from its size, unread.
      const result =
        info.size > PHOTO_MAX_BYTES
          ? ({ ok: false, code: 'photo_too_large' } as const)
          : await processPhoto(await readFile(path));
      if (!result.ok) {
        outcome.refused.push({ file: label, message: photoErrorMessage(result.code, label) });
        continue;
      }
      await appendPhoto(folder, result.jpeg);
      await unlink(path);
      await syncFolder(folder);
      outcome.processed += 1;
    }
    if ((await storedPhotos(folder)).length > 0) outcome.withPhotos.push(activityId);
  }
  return outcome;
}
