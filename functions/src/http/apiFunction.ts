/** The deployed `api` HTTP function: the API handler built from the runtime on first request. */
import { onRequest } from 'firebase-functions/v2/https';
import { REGION } from '../region';
import { runtime } from '../runtime';

export const api = onRequest({ region: REGION, invoker: 'public' }, (req, res) => runtime().api(req, res));
