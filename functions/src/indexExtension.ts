/**
 * Every deployed function when the Trigger Email extension delivers the mail
 * (GONGJIAN_MAIL_SENDER=extension, scripts/build-functions.mjs): the common ones without our own
 * sender, so neither its functions nor their SMTP_URL secret are deployed; plus onMailDelivered,
 * which redacts the update links of what the extension delivered (our sender does that itself).
 */
export * from './indexShared';
export { onMailDelivered } from './triggers/onMailDelivered';
