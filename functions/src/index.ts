/** Every deployed function, re-exported; each is declared in its own file. */
import { refuseUnsafeStart } from './startupGuard';

// An instance with a development token under production settings does not start (startupGuard.ts).
refuseUnsafeStart();

export { api } from './http/apiFunction';
export { sendEmails } from './schedules/sendEmails';
export { sweepMail } from './schedules/sweepMail';
export { sweepStats } from './schedules/sweepStats';
export { onMailWritten } from './triggers/onMailWritten';
export { onPlanWritten } from './triggers/onPlanWritten';
