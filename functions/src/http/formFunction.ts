/**
 * The deployed `form` HTTP function: the update-request form (http/form.ts), its own endpoint
 * beside the staff API — public, small, and loaded on the first request like the api.
 */
import { onRequest } from 'firebase-functions/v2/https';
import { REGION } from '../region';
import { loadRuntime } from './loadRuntime';

// An hour, the most an HTTP function may take: the form also streams a built 活动台账 (http/ledger.ts
// download links), about 2 GB for 1,000 activities with their photos — at 60 s that needed a line of
// over 30 MB/s; at 3,600 s about 0.6 MB/s. A form request itself ends in seconds, so the longer
// limit costs nothing on its path.
export const form = onRequest(
  { region: REGION, invoker: 'public', memory: '512MiB', timeoutSeconds: 3600 },
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
