/**
 * The child process of the hostile-photo test: takes photo files as an upload would (a file over
 * the byte limit is cut before it is read whole, as the form's multipart parser cuts it), processes
 * them with the real module and stores them beside the workbook only when all are usable.
 * Prints the outcome as JSON; exit 0 stored, 3 refused.
 */
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { writePhotoSet } from '../../../adapters/photos/folderStore';
import { processPhotos, type UploadedPhoto } from '../../../adapters/photos/intake';
import { PHOTO_MAX_BYTES } from '../../../shared/evidence';

const [workbook, ...paths] = process.argv.slice(2);
const files: UploadedPhoto[] = [];
for (const path of paths) {
  const size = (await stat(path)).size;
  // Read at most one byte over the limit, as a streaming parser stops there.
  const handle = await open(path, 'r');
  const bytes = Buffer.alloc(Math.min(size, PHOTO_MAX_BYTES + 1));
  await handle.read(bytes, 0, bytes.length, 0);
  await handle.close();
  files.push({ name: basename(path), bytes });
}
const outcome = await processPhotos(files);
if (outcome.ok) {
  await writePhotoSet(workbook as string, 'A1', outcome.photos);
  process.stdout.write(`${JSON.stringify({ stored: outcome.photos.length })}\n`);
} else {
  process.stdout.write(`${JSON.stringify({ errors: outcome.errors })}\n`);
  process.exitCode = 3;
}
