/** Activity records changed: the plan's statistics are stale. */
import { recordTrigger } from './recordTrigger';

export const onActivityWritten = recordTrigger('activities');
