/**
 * What the mail sender needs from the composition root, and where the trigger and the schedule
 * find it: `runtime().mail`. Absent means "our sender is off" — production without SMTP_URL, where
 * the Trigger Email extension delivers the same documents.
 */
import type { Log } from '../logs';
import type { MailTransport } from './transport';

export interface MailDeps {
  transport: MailTransport;
  now(): Date;
  /** How long a mail document is kept after its last state change (delivery.expireAt). */
  retentionMs: number;
  /** How long a claim holds a message before the sweeper may take it over; default 60 s. */
  leaseMs?: number;
  /** Attempts before a temporarily failing message ends in ERROR; default 5. */
  maxAttempts?: number;
  /** Milliseconds to wait after the given failed attempt (1, 2, …); default 2^n × 30 s, at most 1 h. */
  backoff?: (attempt: number) => number;
  log?: Log;
}
