/**
 * The deployed `api` HTTP function. Its implementation (and firebase-admin, zod, the domain) is
 * imported on the first request, not when the module loads: a cold start only pays for the
 * declaration.
 *
 * Sized for the largest workbook the API accepts (100,000 activities, about 18 MB of JSON): the
 * parsed body, the validated model and 100,000 record documents take several hundred MB (the
 * default 256 MiB is not enough), and writing them may take minutes. The timeout also bounds a
 * sync's claim (store/planStore.ts SYNC_CLAIM_MS).
 */
import { onRequest } from 'firebase-functions/v2/https';
import { REGION } from '../region';
import { loadRuntime } from './loadRuntime';

export const api = onRequest(
  { region: REGION, invoker: 'public', memory: '1GiB', timeoutSeconds: 300 },
  async (req, res) => {
    const built = await loadRuntime();
    if (built === undefined) {
      res.status(503).json({
        error: {
          code: 'unavailable',
          message: '服务暂不可用：配置有误，请管理员查看日志',
          messageEn: 'Service unavailable: it is misconfigured; the administrator should read the logs',
        },
      });
      return;
    }
    await built.api(req, res);
  },
);
