/**
 * Where update requests live in Firestore (the layout; requests/links.ts and requests/submit.ts
 * work through these references only):
 *   requestLinks/{sha256(token), hex}              one link: plan, person, scope, expiry, revocation
 *   requestLinks/{hash}/uses/{auto}                every use of the link: when, what, which page
 *   plans/{planId}/submissions/{idempotency key}   one submitted activity, and whether its row has
 *                                                  reached the workbook yet (requests/submit.ts)
 * Links are top-level because a link is found by its token alone; the token itself is never
 * stored, only its hash, so a copy of the database opens no form.
 */
import type { CollectionReference, DocumentReference, Firestore } from 'firebase-admin/firestore';

/** The collection of request links. */
export function requestLinksRef(db: Firestore): CollectionReference {
  return db.collection('requestLinks');
}

/** One link's document, by the hash of its token. */
export function requestLinkRef(db: Firestore, tokenHash: string): DocumentReference {
  return requestLinksRef(db).doc(tokenHash);
}

/** The use log of one link. */
export function linkUsesRef(db: Firestore, tokenHash: string): CollectionReference {
  return requestLinkRef(db, tokenHash).collection('uses');
}

/** A plan's submissions, keyed by their idempotency key. */
export function submissionsRef(db: Firestore, planId: string): CollectionReference {
  return db.collection('plans').doc(planId).collection('submissions');
}
