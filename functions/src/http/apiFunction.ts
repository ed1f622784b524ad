/**
 * The deployed `api` HTTP function. Its implementation (and firebase-admin, zod, the domain) is
 * imported on the first request, not when the module loads: a cold start only pays for the
 * declaration.
 */
import { onRequest } from 'firebase-functions/v2/https';
import { REGION } from '../region';

export const api = onRequest({ region: REGION, invoker: 'public' }, async (req, res) => {
  const { runtime } = await import('../runtime');
  await runtime().api(req, res);
});
