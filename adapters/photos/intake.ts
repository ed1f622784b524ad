/**
 * A submission's photos as a whole (SPEC §11): at most PHOTO_MAX_COUNT, each processed one after
 * another (one decode in memory at a time), and either all of them usable or the Chinese
 * sentences of those that are not — nothing is stored from a submission with a refused photo, so
 * the person fixes the one and sends again, and no half set lands.
 */
import { PHOTO_MAX_COUNT, photoErrorMessage } from '../../shared/evidence';
import { processPhoto } from './process';

/** An uploaded file: the name the browser gave it (for the message) and its bytes. */
export interface UploadedPhoto {
  name: string;
  bytes: Uint8Array;
}

export type PhotosOutcome = { ok: true; photos: Buffer[] } | { ok: false; errors: string[] };

/** Processes a submission's photos; every refusal is a Chinese sentence naming its file. */
export async function processPhotos(files: readonly UploadedPhoto[]): Promise<PhotosOutcome> {
  if (files.length > PHOTO_MAX_COUNT) return { ok: false, errors: [photoErrorMessage('photo_too_many')] };
  const photos: Buffer[] = [];
  const errors: string[] = [];
  for (const file of files) {
    const out = await processPhoto(file.bytes);
    if (out.ok) photos.push(out.jpeg);
    else errors.push(photoErrorMessage(out.code, file.name));
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, photos };
}
