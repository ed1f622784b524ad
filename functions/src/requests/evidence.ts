/**
 * Where a submission's photos go (SPEC §11): a port on the runtime, so the form asks "can this
 * plan's photos be kept, and keep these" without knowing where: the folder beside a local workbook
 * (the local stack) or Cloud Storage behind a capability link (a deployed plan's Google Sheet,
 * cloudPhotoStore.ts). A plan whose workbook no store serves gets a form without the photo input.
 */
import { evidenceFolderLink } from '../../../shared/evidence';
import type { WorkbookLocation } from '../store/planStore';

export interface PhotoStore {
  /** Whether photos of a plan with this workbook can be kept here. */
  serves(location: WorkbookLocation | undefined): boolean;
  /** The 佐证链接 an activity's photos get here: known before they are stored (the row carries it). */
  linkOf(planId: string, location: WorkbookLocation, activityId: string): Promise<string>;
  /** The highest number among the activity's stored photos (0: none). */
  lastNumber(planId: string, location: WorkbookLocation, activityId: string): Promise<number>;
  /**
   * Keeps processed photos as the activity's photos first…first+n-1 (1…n by default), durably
   * (resolved = survives a crash); returns the 佐证链接 the activity's row gets. Repeated for one
   * submission, it keeps one set.
   */
  put(
    planId: string,
    location: WorkbookLocation,
    activityId: string,
    photos: readonly Uint8Array[],
    first?: number,
  ): Promise<string>;
  /**
   * The bytes of the activity's first stored photo (the lowest number), or undefined when it has
   * none: what the staff's 待审核 mail makes its thumbnail from (mail/thumbnails.ts).
   */
  firstPhoto(planId: string, location: WorkbookLocation, activityId: string): Promise<Uint8Array | undefined>;
}

/** Photos in `佐证材料/<记录编号>/` beside a local .xlsx workbook. */
export const localFolderPhotoStore: PhotoStore = {
  serves: (location) => location?.kind === 'xlsx',
  linkOf: async (_planId, _location, activityId) => evidenceFolderLink(activityId),
  lastNumber: async (_planId, location, activityId) => {
    const { evidenceFolderOf, storedPhotos } = await import('../../../adapters/photos/folderStore');
    const last = (await storedPhotos(evidenceFolderOf(localPath(location), activityId))).at(-1);
    return last === undefined ? 0 : Number.parseInt(last, 10);
  },
  put: async (_planId, location, activityId, photos, first) => {
    // Loaded on use: node:fs and the photo folder code are no part of a cold start.
    const { writePhotoSet } = await import('../../../adapters/photos/folderStore');
    return writePhotoSet(localPath(location), activityId, photos, first);
  },
  firstPhoto: async (_planId, location, activityId) => {
    const { readFirstPhoto } = await import('../../../adapters/photos/folderStore');
    return readFirstPhoto(localPath(location), activityId);
  },
};

function localPath(location: WorkbookLocation): string {
  if (location.kind !== 'xlsx') throw new Error('照片只能保存在本地工作簿旁 / photos need a local workbook');
  return location.path;
}

/** The first of `stores` that serves a plan's workbook answers for it (the runtime's one store). */
export function firstServing(...stores: readonly PhotoStore[]): PhotoStore {
  const of = (location: WorkbookLocation | undefined) => stores.find((store) => store.serves(location));
  const serving = (location: WorkbookLocation) => {
    const store = of(location);
    if (!store) throw new Error('此计划的照片无处保存 / no photo store serves this plan');
    return store;
  };
  return {
    serves: (location) => of(location) !== undefined,
    linkOf: (planId, location, activityId) => serving(location).linkOf(planId, location, activityId),
    lastNumber: (planId, location, activityId) => serving(location).lastNumber(planId, location, activityId),
    put: (planId, location, activityId, photos, first) =>
      serving(location).put(planId, location, activityId, photos, first),
    firstPhoto: (planId, location, activityId) => serving(location).firstPhoto(planId, location, activityId),
  };
}
