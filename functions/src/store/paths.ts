/**
 * The Firestore layout, spelled once. Everything else reaches documents through PlanStore (plans)
 * or the mail collection below, so a renamed collection is a change here only.
 *   plans/{planId}                      settings, owner, editors, sync metadata, input version
 *   plans/{planId}/{partners|measures|activities}/{docId}   one record each (see records.ts)
 *   plans/{planId}/issues/{n}           the last sync's issues, in chunks
 *   plans/{planId}/syncs/current        exists while a sync writes (its claim; see claimSync)
 *   plans/{planId}/stats/current        the last statistics, with the as-of date and input version
 *   plans/{planId}/changes/{chunkId}    the change log (§12): the record changes of one commit batch
 *                                       (or one submission, one restore) each; deleted by TTL
 *                                       on expireAt (store/changeLog.ts)
 *   plans/{planId}/stats/summary        the same statistics boiled down for a district roll-up
 *                                       (shared/rollup.ts PlanSummary), saved with them
 *   districts/{districtId}              a district: name, member plans, viewers, admins, workbook
 *   districts/{districtId}/rollup/current   its roll-up's state: generation, lease, what it was
 *                                       last computed from (districts/refresh.ts)
 *   districtMembers/{planId}            the one district a plan belongs to (districtStore.ts)
 *   mail/{docId}                        one email, in the Trigger Email extension's schema (mail/types.ts)
 *   plans/{planId}/submissions/{key}    one activity submitted through an update request, and whether
 *                                       its row has reached the workbook yet (requests/submit.ts)
 *   requestLinks/{sha256(token), hex}   one update-request link: plan, person, scope, expiry, revocation
 *   requestLinks/{hash}/uses/{auto}     every use of the link: when, what, which page
 *   plans/{planId}/ledgers/{jobId}      one ledger build asked through the API: who, what, its state
 *                                       (queued → building → done | failed); its creation fires the
 *                                       build (triggers/onLedgerRequested.ts, ledgers/job.ts)
 *   plans/{planId}/ledgerRequests/{sha256(email, body)}   the last job of one person's request body
 *                                       and when, so a retry within the minute builds nothing more
 *   rateLimits/{sha256(scope, key, window)}   one rate-limit counter window, shared by every
 *                                       instance (requests/rateLimit.ts); deleted by TTL
 * Links are top-level because a link is found by its token alone; the token itself is never
 * stored, only its hash, so a copy of the database opens no form.
 * Type-only imports: the trigger declarations read the patterns at load time without firebase-admin.
 */
import type { CollectionReference, DocumentReference, Firestore } from 'firebase-admin/firestore';

export const PLANS_COLLECTION = 'plans';
/** The emails' collection: the Trigger Email extension is configured with this name. */
export const MAIL_COLLECTION = 'mail';
export const ISSUES_COLLECTION = 'issues';
export const SYNCS_COLLECTION = 'syncs';
export const STATS_COLLECTION = 'stats';
/** The one document of `syncs` and of `stats`. */
export const CURRENT_DOC = 'current';
export const SUBMISSIONS_COLLECTION = 'submissions';
export const REQUEST_LINKS_COLLECTION = 'requestLinks';
export const LINK_USES_COLLECTION = 'uses';
export const RATE_LIMITS_COLLECTION = 'rateLimits';
export const CHANGES_COLLECTION = 'changes';
/** The document of `stats` beside `current` that holds the plan's roll-up summary. */
export const SUMMARY_DOC = 'summary';
export const DISTRICTS_COLLECTION = 'districts';
export const DISTRICT_MEMBERS_COLLECTION = 'districtMembers';
export const ROLLUP_COLLECTION = 'rollup';
/** A plan's server-only secrets: read by the functions (admin), never by a client (firestore.rules). */
export const SECRETS_COLLECTION = 'secrets';
export const LEDGERS_COLLECTION = 'ledgers';
export const LEDGER_REQUESTS_COLLECTION = 'ledgerRequests';

/** The document patterns the triggers listen to. */
export const TRIGGER_DOCUMENTS = {
  plan: `${PLANS_COLLECTION}/{planId}`,
  mail: `${MAIL_COLLECTION}/{docId}`,
  ledger: `${PLANS_COLLECTION}/{planId}/${LEDGERS_COLLECTION}/{jobId}`,
} as const;

/** The collection of every queued email. */
export function mailCollection(db: Firestore): CollectionReference {
  return db.collection(MAIL_COLLECTION);
}

/** A plan's document. */
export function planRef(db: Firestore, planId: string): DocumentReference {
  return db.collection(PLANS_COLLECTION).doc(planId);
}

/** The collection of request links. */
export function requestLinksRef(db: Firestore): CollectionReference {
  return db.collection(REQUEST_LINKS_COLLECTION);
}

/** One link's document, by the hash of its token. */
export function requestLinkRef(db: Firestore, tokenHash: string): DocumentReference {
  return requestLinksRef(db).doc(tokenHash);
}

/** The use log of one link. */
export function linkUsesRef(db: Firestore, tokenHash: string): CollectionReference {
  return requestLinkRef(db, tokenHash).collection(LINK_USES_COLLECTION);
}

/** A plan's submissions, keyed by their idempotency key. */
export function submissionsRef(db: Firestore, planId: string): CollectionReference {
  return planRef(db, planId).collection(SUBMISSIONS_COLLECTION);
}

/** One rate-limit counter window, by its hashed ID (requests/rateLimit.ts). */
export function rateLimitRef(db: Firestore, id: string): DocumentReference {
  return db.collection(RATE_LIMITS_COLLECTION).doc(id);
}

/** A plan's change log chunks (store/changeLog.ts). */
export function changesRef(db: Firestore, planId: string): CollectionReference {
  return planRef(db, planId).collection(CHANGES_COLLECTION);
}

/** The key of a plan's evidence links (requests/cloudPhotoStore.ts): deleted with the plan, they all die. */
export function evidenceKeyRef(db: Firestore, planId: string): DocumentReference {
  return planRef(db, planId).collection(SECRETS_COLLECTION).doc('evidence');
}

/** One ledger build of a plan (ledgers/job.ts). */
export function ledgerJobRef(db: Firestore, planId: string, jobId: string): DocumentReference {
  return planRef(db, planId).collection(LEDGERS_COLLECTION).doc(jobId);
}

/** The last build one person asked for with one body (http/ledger.ts's idempotency key). */
export function ledgerRequestRef(db: Firestore, planId: string, key: string): DocumentReference {
  return planRef(db, planId).collection(LEDGER_REQUESTS_COLLECTION).doc(key);
}
