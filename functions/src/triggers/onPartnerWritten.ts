/** Partner records changed: the plan's statistics are stale. */
import { recordTrigger } from './recordTrigger';

export const onPartnerWritten = recordTrigger('partners');
