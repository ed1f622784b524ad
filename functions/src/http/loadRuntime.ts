/**
 * The runtime for an HTTP function's request, built on the first one (firebase-admin, zod and the
 * domain load then, not at cold start). A configuration mistake is the operator's to read in the
 * log, never the caller's: it is logged, and the caller gets `undefined` to answer 503 in its own
 * format (JSON for the staff API, a plain page for the form).
 */
import { cloudLog, logs } from '../logs';
import type { Runtime } from '../runtime';

export async function loadRuntime(): Promise<Runtime | undefined> {
  const { runtime } = await import('../runtime');
  try {
    return runtime();
  } catch (error) {
    cloudLog(logs.configRefused(error));
    return undefined;
  }
}
