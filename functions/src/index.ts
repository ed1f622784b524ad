/** Every deployed function, re-exported; each is declared in its own file. */
export { api } from './http/apiFunction';
export { onActivityWritten } from './triggers/onActivityWritten';
export { onMeasureWritten } from './triggers/onMeasureWritten';
export { onPartnerWritten } from './triggers/onPartnerWritten';
export { onPlanWritten } from './triggers/onPlanWritten';
