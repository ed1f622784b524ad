/**
 * Every deployed function when the Trigger Email extension delivers the mail
 * (GONGJIAN_MAIL_SENDER=extension, scripts/build-functions.mjs): all but our own sender, so neither
 * its functions nor their SMTP_URL secret are deployed. Each is declared in its own file.
 */
import { refuseUnsafeStart } from './startupGuard';

// An instance with a development token under production settings does not start (startupGuard.ts).
refuseUnsafeStart();

export { api } from './http/apiFunction';
export { form } from './http/formFunction';
export { sendEmails } from './schedules/sendEmails';
export { sweepStats } from './schedules/sweepStats';
export { onPlanWritten } from './triggers/onPlanWritten';
