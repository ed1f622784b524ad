/**
 * The deployed `form` HTTP function: the update-request form (http/form.ts), its own endpoint
 * beside the staff API — public, small, and loaded on the first request like the api.
 */
import { onRequest } from 'firebase-functions/v2/https';
import { REGION } from '../region';
import { loadRuntime } from './loadRuntime';

export const form = onRequest(
  { region: REGION, invoker: 'public', memory: '512MiB', timeoutSeconds: 60 },
  async (req, res) => {
    const built = await loadRuntime();
    if (built === undefined) {
      res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('服务暂不可用，请稍后再试 / Service unavailable');
      return;
    }
    await built.form(req, res);
  },
);
