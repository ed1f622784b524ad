/**
 * Where a submission's photos go (SPEC §11): a port on the runtime, so the form asks "can this
 * plan's photos be kept, and keep these" without knowing where. Today the one store is the folder
 * beside a local workbook (the local stack); the deployed path (Cloud Storage, a capability link)
 * is another implementation of the same port, added without touching the form. A plan whose
 * workbook no store serves gets a form without the photo input.
 */
import type { WorkbookLocation } from '../store/planStore';

export interface PhotoStore {
  /** Whether photos of a plan with this workbook can be kept here. */
  serves(location: WorkbookLocation | undefined): boolean;
  /**
   * Keeps processed photos as the activity's photos 1…n, durably (resolved = survives a crash);
   * returns the 佐证链接 the activity's row gets. Repeated for one submission, it keeps one set.
   */
  put(location: WorkbookLocation, activityId: string, photos: readonly Uint8Array[]): Promise<string>;
}

/** Photos in `佐证材料/<记录编号>/` beside a local .xlsx workbook. */
export const localFolderPhotoStore: PhotoStore = {
  serves: (location) => location?.kind === 'xlsx',
  put: async (location, activityId, photos) => {
    if (location.kind !== 'xlsx')
      throw new Error('照片只能保存在本地工作簿旁 / photos need a local workbook');
    // Loaded on use: node:fs and the photo folder code are no part of a cold start.
    const { writePhotoSet } = await import('../../../adapters/photos/folderStore');
    return writePhotoSet(location.path, activityId, photos);
  },
};
