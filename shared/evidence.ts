/**
 * Evidence photos (SPEC §11): the limits every photo path applies, the refusals they end in, and
 * where an activity's photos live beside a workbook. Pure: the decoding is the adapters' (sharp,
 * adapters/photos/), the storing the runtime's photo store; this module is the one home of the
 * rules both read, so the phone form, the drop-in sync and the ledger agree on them.
 *
 * The folder convention, shared with the ledger: `佐证材料/<记录编号>/1.jpg, 2.jpg, …` beside the
 * workbook, each photo processed (upright, ≤ PHOTO_MAX_EDGE px, JPEG, no metadata); the activity's
 * 佐证链接 holds the folder's relative link, `佐证材料/<记录编号>/`.
 */

/** At most this many photos per submission. */
export const PHOTO_MAX_COUNT = 6;
/** At most this many bytes per uploaded photo (a phone's full-size JPEG is 3–8 MB). */
export const PHOTO_MAX_BYTES = 12 * 1024 * 1024;
/**
 * At most this many pixels in a decoded photo: a 48-megapixel phone camera passes, a
 * decompression bomb (a tiny PNG declaring 20,000 × 20,000) is refused before it is decoded.
 */
export const PHOTO_MAX_PIXELS = 50_000_000;
/** A stored photo fits this many pixels on its long side. */
export const PHOTO_MAX_EDGE = 2048;
/** The folder beside the workbook that holds every activity's photos. */
export const EVIDENCE_FOLDER = '佐证材料';

/** Why a photo was refused. */
export const PHOTO_ERRORS = {
  photo_too_large: `照片超过 ${PHOTO_MAX_BYTES / 1024 / 1024} MB，请换一张较小的照片 / A photo is over ${PHOTO_MAX_BYTES / 1024 / 1024} MB`,
  photo_too_many: `每次最多上传 ${PHOTO_MAX_COUNT} 张照片 / At most ${PHOTO_MAX_COUNT} photos`,
  photo_too_many_pixels: '照片像素过多，无法处理，请换一张照片 / The photo has too many pixels',
  photo_unreadable:
    '无法识别的照片（只接受 JPEG、PNG、WebP 等图片；HEIC 请先在手机上转为 JPEG）/ Not an image we can read',
} as const;
export type PhotoErrorCode = keyof typeof PHOTO_ERRORS;

/** The Chinese (and English) sentence of a photo refusal, naming the file when it has a name. */
export function photoErrorMessage(code: PhotoErrorCode, fileName?: string): string {
  const name = fileName?.trim();
  return name ? `「${name}」：${PHOTO_ERRORS[code]}` : PHOTO_ERRORS[code];
}

/** The stored name of an activity's n-th photo (1-based). */
export function photoFileName(n: number): string {
  return `${n}.jpg`;
}

/** Whether a file name is a stored (processed) photo's: `1.jpg`, `2.jpg`, …; anything else is a drop-in. */
export function isStoredPhotoName(name: string): boolean {
  return /^[1-9][0-9]*\.jpg$/.test(name);
}

/** The relative link an activity's 佐证链接 holds for its photo folder. */
export function evidenceFolderLink(activityId: string): string {
  return `${EVIDENCE_FOLDER}/${activityId}/`;
}

/** Whether a 佐证链接 is a photo folder's relative link (accepted like an http(s) URL). */
export function isEvidenceFolderLink(text: string): boolean {
  return text.startsWith(`${EVIDENCE_FOLDER}/`) && !text.includes('..') && !/[\\:]/.test(text);
}

/**
 * Whether an activity ID can name a photo folder: no path separator, no parent or current folder,
 * nothing a file system forbids. IDs come from sheets staff type into; an unsafe one gets no folder.
 */
export function isSafeFolderName(activityId: string): boolean {
  return (
    activityId !== '.' &&
    activityId !== '..' &&
    activityId.length <= 64 &&
    !/[/\\:*?"<>|]/.test(activityId) &&
    ![...activityId].some((c) => c.charCodeAt(0) < 0x20)
  );
}
