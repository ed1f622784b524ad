/**
 * Every deployed function with our own mail sender (GONGJIAN_MAIL_SENDER=builtin, the default):
 * the common ones (indexShared.ts), plus the sender's trigger and sweep — the only two that need
 * the SMTP_URL secret. Each is declared in its own file.
 */
export * from './indexShared';
export { sweepMail } from './schedules/sweepMail';
export { onMailWritten } from './triggers/onMailWritten';
