/**
 * Evidence photos in a folder beside a local workbook (SPEC §11, the local stack and the CLI):
 * `佐证材料/<记录编号>/1.jpg, 2.jpg, …`. Every photo here is processed already (adapters/photos/
 * process.ts); this module only places the bytes.
 *
 * Durable when it resolves: each photo is written to a temporary name, fsynced, renamed into
 * place, and the folders whose entries changed are fsynced (adapters/workbook/common.ts) — so a
 * form that answers 「已保存」 after it has photos that survive a power cut. A repeated delivery
 * of one submission writes the same bytes under the same names: one set, never two.
 */
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  EVIDENCE_FOLDER,
  evidenceFolderLink,
  isSafeFolderName,
  isStoredPhotoName,
  photoFileName,
} from '../../shared/evidence';
import { syncFolder, writeSynced } from '../workbook/common';

/** The evidence folder of a workbook (or of a folder of CSV files: inside it, beside the tabs). */
export function evidenceRoot(workbookPath: string, isFolder: boolean): string {
  return join(isFolder ? workbookPath : dirname(workbookPath), EVIDENCE_FOLDER);
}

/** The folder of an activity's photos beside a workbook. */
export function evidenceFolderOf(workbookPath: string, activityId: string): string {
  if (!isSafeFolderName(activityId))
    throw new Error(`记录编号「${activityId}」不能用作文件夹名 / unsafe folder name`);
  return join(evidenceRoot(workbookPath, false), activityId);
}

/** Creates a folder (and parents) and makes the new entries durable in the folders above it. */
async function ensureFolder(folder: string): Promise<void> {
  const created = await mkdir(folder, { recursive: true });
  if (created === undefined) return;
  // Every folder from the first one created up to `folder` is a new entry of its parent.
  for (let at = folder; at.length >= created.length; at = dirname(at)) {
    await syncFolder(dirname(at));
    if (at === created) break;
  }
}

/** Writes one file durably under its final name (temporary name, fsync, rename; the folder is synced by the caller). */
async function placeFile(folder: string, name: string, bytes: Uint8Array): Promise<void> {
  const temporary = join(folder, `.${name}.tmp`);
  await writeSynced(temporary, bytes, 'w');
  await rename(temporary, join(folder, name));
}

/**
 * Stores processed photos as an activity's photos first.jpg … (1.jpg … n.jpg by default), durably;
 * returns the relative link its 佐证链接 gets. From 1: a submission's own new activity (its folder
 * is new, or holds what an earlier delivery of the same submission wrote); after the last stored
 * one: photos added to an existing activity (the API's upload).
 */
export async function writePhotoSet(
  workbookPath: string,
  activityId: string,
  photos: readonly Uint8Array[],
  first = 1,
): Promise<string> {
  const folder = evidenceFolderOf(workbookPath, activityId);
  await ensureFolder(folder);
  for (const [i, photo] of photos.entries()) await placeFile(folder, photoFileName(first + i), photo);
  await syncFolder(folder);
  return evidenceFolderLink(activityId);
}

/** Appends one processed photo after an activity's stored ones; returns its name. The folder is synced. */
export async function appendPhoto(folder: string, photo: Uint8Array): Promise<string> {
  // After the highest number, not the count: 1.jpg and 3.jpg (2.jpg deleted by staff) → 4.jpg.
  const last = (await storedPhotos(folder)).at(-1);
  const name = photoFileName(last === undefined ? 1 : Number.parseInt(last, 10) + 1);
  await placeFile(folder, name, photo);
  await syncFolder(folder);
  return name;
}

/** The stored (processed) photos of a folder, in their order: 1.jpg, 2.jpg, … */
export async function storedPhotos(folder: string): Promise<string[]> {
  const names = await readdir(folder).catch(() => [] as string[]);
  return names.filter(isStoredPhotoName).sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
}

/** The size of a file, or undefined when it is not a regular file. */
export async function fileSize(path: string): Promise<number | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ? info.size : undefined;
}

/**
 * The bytes of an activity's first stored photo beside a workbook, or undefined when it has none
 * (no folder, an empty one, or a 记录编号 that cannot name a folder).
 */
export async function readFirstPhoto(
  workbookPath: string,
  activityId: string,
): Promise<Uint8Array | undefined> {
  if (!isSafeFolderName(activityId)) return undefined;
  const folder = evidenceFolderOf(workbookPath, activityId);
  const [first] = await storedPhotos(folder);
  return first === undefined ? undefined : readFile(join(folder, first));
}
