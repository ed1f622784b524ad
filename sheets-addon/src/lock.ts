/**
 * The document lock around everything that reads the sheet and then writes rows back (sync,
 * adding an activity): two editors doing so at once would write to rows the other just used.
 */
import { AddonError, MESSAGES } from './errors';

/** How long an action waits for another one to finish before giving up. */
export const LOCK_WAIT_MS = 20_000;

/** Runs `action` holding the document lock; an AddonError when another holder keeps it. */
export function withDocumentLock<T>(action: () => T): T {
  const lock = LockService.getDocumentLock();
  if (!lock) throw new AddonError('no_document', ...MESSAGES.noDocument);
  if (!lock.tryLock(LOCK_WAIT_MS)) throw new AddonError('lock_busy', ...MESSAGES.lockBusy);
  try {
    return action();
  } finally {
    lock.releaseLock();
  }
}
