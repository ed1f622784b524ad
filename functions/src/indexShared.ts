/**
 * The functions deployed whoever delivers the mail: index.ts adds our sender, indexExtension.ts
 * what the Trigger Email extension needs beside it. Each is declared in its own file.
 */
import { refuseUnsafeStart } from './startupGuard';

// An instance with a development token under production settings does not start (startupGuard.ts).
refuseUnsafeStart();

export { api } from './http/apiFunction';
export { form } from './http/formFunction';
export { sendEmails } from './schedules/sendEmails';
export { sweepStats } from './schedules/sweepStats';
export { onLedgerRequested } from './triggers/onLedgerRequested';
export { onPlanWritten } from './triggers/onPlanWritten';
