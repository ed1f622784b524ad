/**
 * The Firestore layout, spelled once. Everything else reaches documents through PlanStore (plans)
 * or the mail collection below, so a renamed collection is a change here only.
 *   plans/{planId}                      settings, owner, editors, sync metadata, input version
 *   plans/{planId}/{partners|measures|activities}/{docId}   one record each (see records.ts)
 *   plans/{planId}/issues/{n}           the last sync's issues, in chunks
 *   plans/{planId}/syncs/current        exists while a sync writes (its claim; see claimSync)
 *   plans/{planId}/stats/current        the last statistics, with the as-of date and input version
 *   mail/{docId}                        one email, in the Trigger Email extension's schema (mail/types.ts)
 * Type-only imports: the trigger declarations read the patterns at load time without firebase-admin.
 */
import type { CollectionReference, Firestore } from 'firebase-admin/firestore';

export const PLANS_COLLECTION = 'plans';
/** The emails' collection: the Trigger Email extension is configured with this name. */
export const MAIL_COLLECTION = 'mail';
export const ISSUES_COLLECTION = 'issues';
export const SYNCS_COLLECTION = 'syncs';
export const STATS_COLLECTION = 'stats';
/** The one document of `syncs` and of `stats`. */
export const CURRENT_DOC = 'current';

/** The document patterns the triggers listen to. */
export const TRIGGER_DOCUMENTS = {
  plan: `${PLANS_COLLECTION}/{planId}`,
  mail: `${MAIL_COLLECTION}/{docId}`,
} as const;

/** The collection of every queued email. */
export function mailCollection(db: Firestore): CollectionReference {
  return db.collection(MAIL_COLLECTION);
}
