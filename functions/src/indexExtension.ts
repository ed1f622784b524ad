/**
 * Every deployed function when the Trigger Email extension delivers the mail
 * (GONGJIAN_MAIL_SENDER=extension, scripts/build-functions.mjs): all but our own sender, so neither
 * its functions nor their SMTP_URL secret are deployed. Each is declared in its own file.
 */
export { api } from './http/apiFunction';
export { sendEmails } from './schedules/sendEmails';
export { onActivityWritten } from './triggers/onActivityWritten';
export { onMeasureWritten } from './triggers/onMeasureWritten';
export { onPartnerWritten } from './triggers/onPartnerWritten';
export { onPlanWritten } from './triggers/onPlanWritten';
