/**
 * The local stack's durability barrier: what the stack acknowledges, it keeps.
 *
 * Deployed, Firestore is durable when a write returns, so `runtime.durable()` is a no-op there. In
 * the local stack the database is the emulator's memory, which a Ctrl-C, a kill -9 of the whole
 * process group or a power cut takes away. So everything that tells a person "kept" waits for
 * `durable()` first: the form before its 303 「记录已保存」, the API before answering a mutating
 * request (sync, requests, revoke, report — and with it the CLI's exit 0), the mail sender before
 * it hands a message, and the links minted into it, to the outbox or SMTP; and `npm start --once`
 * before it exits.
 *
 * `durable()` resolves once an export of the whole database that *started after the call* is on
 * disk (dataDir.ts: fsynced files, then an fsynced pointer): whatever the caller wrote before
 * calling is in it. Exports are group-committed: callers that arrive while an export runs cannot
 * be in it (it may have read their documents before they were written), so they all wait for the
 * next one, which starts as soon as the running one ends; one export serves every caller that
 * arrived during its predecessor. Exports never overlap, so each caller waits at most two export
 * times. A failed export rejects its callers (the form then says 「内容未保存」), and once the
 * emulator has crashed every call rejects: nothing is acknowledged that is not kept.
 *
 * Why an export and not a journal of writes replayed at start: a journal would have to see every
 * write the functions make, through firebase-admin, the emulator's own transactions and the
 * triggers' writes, and replay them in order with their preconditions — a second database. The
 * export is the emulator's own, consistent copy, already what the next start seeds from; its cost
 * is one export per group of acknowledgements (measured in the README, «Durability»).
 */

/** One writer of durable snapshots, shared by every caller (see the module comment). */
export class GroupCommit {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  /** @param commit makes everything written so far durable; never called concurrently. */
  constructor(private readonly commit: () => Promise<void>) {}

  /** Resolves once a commit that started after this call has finished (rejects if it failed). */
  durable(): Promise<void> {
    // A commit waiting to start will start after this call: it serves this caller too.
    if (this.next) return this.next;
    const running = this.running;
    if (running === undefined) return this.start();
    this.next = running
      .catch(() => {})
      .then(() => {
        this.next = undefined;
        return this.start();
      });
    return this.next;
  }

  /** Resolves once no commit is running or waiting to run. */
  async idle(): Promise<void> {
    while (this.running || this.next) await Promise.allSettled([this.running, this.next]);
  }

  private start(): Promise<void> {
    const run = this.commit().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }
}
