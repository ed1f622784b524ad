/** Every deployed function, re-exported; each is declared in its own file. */
import { refuseUnsafeStart } from './startupGuard';

// An instance with a development token under production settings does not start (startupGuard.ts).
refuseUnsafeStart();

export { api } from './http/apiFunction';
export { sendEmails } from './schedules/sendEmails';
export { sweepMail } from './schedules/sweepMail';
export { onActivityWritten } from './triggers/onActivityWritten';
export { onMailWritten } from './triggers/onMailWritten';
export { onMeasureWritten } from './triggers/onMeasureWritten';
export { onPartnerWritten } from './triggers/onPartnerWritten';
export { onPlanWritten } from './triggers/onPlanWritten';
