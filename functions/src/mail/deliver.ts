/**
 * Delivering the mail queue.
 *
 * A mail document (queue.ts) moves through the states of the Trigger Email extension, plus RETRY:
 *
 *   PENDING ─claim─▶ PROCESSING ─250─────────────────────────▶ SUCCESS  (delivery.info; links redacted)
 *                    (lease)    ─5xx, or attempts used up────▶ ERROR    (delivery.error)
 *                               ─4xx, connection failure─────▶ RETRY    (nextAttemptTime)
 *   RETRY, once nextAttemptTime ≤ now ─claim─▶ PROCESSING      backoff: min(2^attempts × 30 s, 1 h)
 *   PROCESSING whose lease expired    ─claim─▶ PROCESSING      (the attempt died; taken over)
 *
 * Who moves it: the trigger onMailWritten on every write whose new state is PENDING (so queuing a
 * mail sends it, and resetting a document to PENDING by hand sends it again) or RETRY without a
 * time (the extension's way to ask for a resend), and the schedule sweepMail every five minutes
 * for retries that are due, leases that expired, and PENDING mail whose trigger never ran (Eventarc
 * does not retry a failed delivery unless told to).
 *
 * Claiming without transactions: the claimer reads the document, and only if it is PENDING, a due
 * RETRY or a PROCESSING whose lease expired does it write PROCESSING (attempts + 1, a lease) with
 * an update conditioned on the `updateTime` it read. Of any number of concurrent claimers —
 * redelivered trigger events, two sweeps, a trigger and a sweep — exactly one write meets that
 * precondition; the others fail with FAILED_PRECONDITION and leave. The outcome (SUCCESS, RETRY,
 * ERROR) is written with the claim's own `writeTime` as the precondition, so an attempt that has
 * been taken over cannot overwrite its successor's record. SUCCESS and ERROR are final: nothing
 * here sends such a document, nor one whose lease someone else holds.
 *
 * The guarantee: at-least-once. Exactly-once is impossible with SMTP: the server's 250 reply to
 * the end of DATA is the only receipt there is, the server keeps the message whether or not that
 * reply reaches us, and no command asks a server afterwards whether a message arrived — so "the
 * server took it" and "we recorded that it did" can never be one atomic step, and whichever is
 * done first, a crash between the two loses the other. We record after sending. If the process
 * dies (or is frozen, or stopped at its timeout) after the server accepted the message but before
 * SUCCESS is written, the document stays PROCESSING until its lease (60 s) expires; the next sweep
 * takes it over and sends it again. The same happens when the connection drops after the server
 * queued the message but before its 250 arrived: a temporary failure, retried. Either way the
 * second copy carries the same Message-ID (derived from the idempotency key, queue.ts), so
 * receivers and people can recognise it as the same message. Recording first would turn the same
 * crash into a lost email, which is worse for a reminder. The window is one Firestore write wide,
 * and the lease is longer than nodemailer's timeouts (transport.ts), so an attempt that is slow but
 * alive is not taken over; if one ever is, its late outcome is refused by the precondition.
 * Everything else — the same key queued twice, trigger redelivery, concurrent or repeated sweeps —
 * sends nothing twice: the key's create() and the precondition on the claim see to that.
 *
 * Secrets at rest: the write that records SUCCESS also redacts the update links in the stored text
 * and HTML (redact.ts), and no other write does — so a retry or a second copy sends the same bytes.
 *
 * Retention: every delivery write sets `delivery.expireAt` to the time of the write plus the
 * retention (deps.retentionMs, GONGJIAN_MAIL_RETENTION_DAYS), so a document lives that long after
 * its final state — SUCCESS or ERROR — and an attempt in progress never expires under it; Firestore's
 * TTL policy on that field (firestore.indexes.json) deletes it then.
 */

import { type DocumentReference, type Firestore, Timestamp } from 'firebase-admin/firestore';
import { logs } from '../logs';
import { GRPC_STATUS, hasGrpcStatus } from '../store/grpcStatus';
import { mailCollection } from '../store/paths';
import type { MailDeps } from './deps';
import { type RedactedFields, redactedMessageFields } from './redact';
import { classifySmtpError, describeSmtpError } from './transport';
import { type Delivery, type DeliveryInfo, parseMail, pendingDelivery, type StoredMail } from './types';

export const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_MAX_ATTEMPTS = 5;
/** A PENDING mail this old has missed its trigger; younger ones are left to the trigger. */
export const PENDING_GRACE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Milliseconds to wait after failed attempt number `attempt` (1, 2, …): 1 min, 2 min, 4 min, … 1 h. */
export function defaultBackoff(attempt: number): number {
  return Math.min(2 ** attempt * 30_000, HOUR_MS);
}

/**
 * What one processMail call did. `sent`, `retry` and `error` mean it made an attempt; the rest
 * mean it left the document alone: `done` (SUCCESS/ERROR already), `held` (someone's lease is
 * live), `not-due` (a RETRY whose time has not come), `lost-claim` (a concurrent claimer won),
 * `superseded` (our attempt was taken over before we could record it), `missing`.
 */
export type ProcessOutcome =
  | 'sent'
  | 'retry'
  | 'error'
  | 'done'
  | 'held'
  | 'not-due'
  | 'lost-claim'
  | 'superseded'
  | 'missing';

type Claimability = { claim: true } | { claim: false; outcome: ProcessOutcome };

function claimability(delivery: Delivery | undefined, now: Date): Claimability {
  switch (delivery?.state) {
    case undefined:
    case 'PENDING':
      return { claim: true };
    case 'RETRY':
      return delivery.nextAttemptTime === null || delivery.nextAttemptTime.toMillis() <= now.getTime()
        ? { claim: true }
        : { claim: false, outcome: 'not-due' };
    case 'PROCESSING':
      return delivery.leaseExpireTime === null || delivery.leaseExpireTime.toMillis() < now.getTime()
        ? { claim: true }
        : { claim: false, outcome: 'held' };
    case 'SUCCESS':
    case 'ERROR':
      return { claim: false, outcome: 'done' };
  }
}

/** Claims one mail document if it is due, sends it, and records the outcome. */
export async function processMail(db: Firestore, docId: string, deps: MailDeps): Promise<ProcessOutcome> {
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const maxAttempts = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const backoff = deps.backoff ?? defaultBackoff;
  const ref = mailCollection(db).doc(docId);

  const snapshot = await ref.get();
  if (!snapshot.exists || snapshot.updateTime === undefined) return 'missing';
  const read = { lastUpdateTime: snapshot.updateTime };
  const parsed = parseMail(snapshot.data());
  const now = deps.now();

  if (!parsed.ok) {
    // Nothing to send, and it will not get better by retrying; leave a final state saying why.
    const state: unknown = snapshot.get('delivery.state');
    if (state === 'SUCCESS' || state === 'ERROR') return 'done';
    const failed: Delivery = {
      ...pendingDelivery(expiry(now, deps)),
      state: 'ERROR',
      endTime: ts(now),
      error: parsed.error,
    };
    return (await conditionalUpdate(ref, { delivery: failed }, read)) ? 'error' : 'lost-claim';
  }

  const { mail } = parsed;
  const previous = mail.delivery ?? pendingDelivery(null);
  const due = claimability(mail.delivery, now);
  if (!due.claim) return due.outcome;

  if (previous.state === 'PROCESSING' && previous.attempts >= maxAttempts) {
    // The last allowed attempt died holding its lease. It may well have gone out (see the top of
    // this file); either way the attempts are used up.
    const failed: Delivery = {
      ...previous,
      state: 'ERROR',
      endTime: ts(now),
      leaseExpireTime: null,
      expireAt: expiry(now, deps),
      error: `Lease expired during attempt ${previous.attempts} of ${maxAttempts}; delivery unknown`,
    };
    return (await conditionalUpdate(ref, { delivery: failed }, read)) ? 'error' : 'lost-claim';
  }

  const claimed: Delivery = {
    ...previous,
    state: 'PROCESSING',
    attempts: previous.attempts + 1,
    startTime: ts(now),
    endTime: null,
    leaseExpireTime: ts(new Date(now.getTime() + leaseMs)),
    nextAttemptTime: null,
    expireAt: expiry(now, deps),
  };
  const claim = await conditionalUpdate(ref, { delivery: claimed }, read);
  if (!claim) return 'lost-claim';
  if (previous.state === 'PROCESSING') {
    deps.log?.(logs.mailLeaseTaken(docId, claimed.attempts));
  }

  const outcome = await attempt(docId, mail, deps);
  const finished = deps.now();
  let recorded: Delivery;
  let result: ProcessOutcome;
  // Delivered: the stored copy's update links are redacted in the same write (redact.ts). Any other
  // outcome keeps the bytes, so the next attempt sends the same message.
  let redacted: RedactedFields = {};
  if (outcome.ok) {
    redacted = redactedMessageFields(mail);
    recorded = {
      ...claimed,
      state: 'SUCCESS',
      endTime: ts(finished),
      leaseExpireTime: null,
      expireAt: expiry(finished, deps),
      error: null,
      info: outcome.info,
    };
    result = 'sent';
  } else if (outcome.failure === 'temporary' && claimed.attempts < maxAttempts) {
    recorded = {
      ...claimed,
      state: 'RETRY',
      leaseExpireTime: null,
      nextAttemptTime: ts(new Date(finished.getTime() + backoff(claimed.attempts))),
      expireAt: expiry(finished, deps),
      error: outcome.error,
    };
    result = 'retry';
  } else {
    recorded = {
      ...claimed,
      state: 'ERROR',
      endTime: ts(finished),
      leaseExpireTime: null,
      expireAt: expiry(finished, deps),
      error: outcome.error,
    };
    result = 'error';
  }
  if (!(await conditionalUpdate(ref, { delivery: recorded, ...redacted }, { lastUpdateTime: claim }))) {
    deps.log?.(logs.mailAttemptSuperseded(docId, result));
    return 'superseded';
  }
  if (result !== 'sent') deps.log?.(logs.mailFailed(docId, recorded.state, recorded.error ?? undefined));
  return result;
}

type AttemptOutcome =
  | { ok: true; info: DeliveryInfo }
  | { ok: false; failure: 'temporary' | 'permanent'; error: string };

async function attempt(docId: string, mail: StoredMail, deps: MailDeps): Promise<AttemptOutcome> {
  try {
    const { delivery: _delivery, ...email } = mail;
    const info = await deps.transport.send({ id: docId, ...email });
    return { ok: true, info };
  } catch (error) {
    return { ok: false, failure: classifySmtpError(error), error: describeSmtpError(error) };
  }
}

/** The update's write time, or undefined when the document changed since `precondition`. */
async function conditionalUpdate(
  ref: DocumentReference,
  data: { delivery: Delivery } & RedactedFields,
  precondition: { lastUpdateTime: Timestamp },
): Promise<Timestamp | undefined> {
  try {
    const written = await ref.update(data, precondition);
    return written.writeTime;
  } catch (error) {
    // The document changed or was deleted since it was read: another attempt has it.
    if (hasGrpcStatus(error, GRPC_STATUS.FAILED_PRECONDITION, GRPC_STATUS.NOT_FOUND)) return undefined;
    throw error;
  }
}

function ts(date: Date): Timestamp {
  return Timestamp.fromDate(date);
}

function expiry(at: Date, deps: MailDeps): Timestamp {
  return Timestamp.fromMillis(at.getTime() + deps.retentionMs);
}

export interface SweepOptions {
  /** Documents per kind (expired lease, due retry, stale PENDING) per sweep. */
  limit?: number;
  /** Mails processed at the same time: a few, like concurrent trigger invocations. */
  concurrency?: number;
}

export interface SweepResult {
  found: number;
  outcomes: Partial<Record<ProcessOutcome, number>>;
}

/**
 * Finds mail that needs the sender and no trigger will bring — expired leases, due retries,
 * PENDING mail older than a minute — and processes each. Safe to run concurrently with itself
 * and with the trigger: every document is claimed as in processMail.
 */
export async function sweepMail(
  db: Firestore,
  deps: MailDeps,
  options: SweepOptions = {},
): Promise<SweepResult> {
  const limit = options.limit ?? 100;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const now = ts(deps.now());
  const stale = ts(new Date(deps.now().getTime() - PENDING_GRACE_MS));
  const mail = mailCollection(db);
  // Each query is an equality on delivery.state plus a range on one time field: the composite
  // indexes in firestore.indexes.json.
  const due = (state: string, field: string, op: '<' | '<=', at: Timestamp) =>
    mail.where('delivery.state', '==', state).where(field, op, at).orderBy(field).limit(limit).select().get();
  const snapshots = await Promise.all([
    due('PROCESSING', 'delivery.leaseExpireTime', '<', now),
    due('RETRY', 'delivery.nextAttemptTime', '<=', now),
    due('PENDING', 'gongjian.createdAt', '<=', stale),
  ]);
  const ids = [...new Set(snapshots.flatMap((snapshot) => snapshot.docs.map((doc) => doc.id)))];
  const outcomes: Partial<Record<ProcessOutcome, number>> = {};
  const failures: unknown[] = [];
  let next = 0;
  const worker = async () => {
    for (let id = ids[next++]; id !== undefined; id = ids[next++]) {
      // One document's Firestore error must not keep the others waiting for the next sweep.
      try {
        const outcome = await processMail(db, id, deps);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  if (failures.length > 0)
    throw new AggregateError(failures, `sweepMail: ${failures.length} of ${ids.length} failed`);
  return { found: ids.length, outcomes };
}
