/**
 * The running local stack a command talks to (`gongjian request`, `history`, `restore`): found by
 * the workbook it serves (adapters/stackEndpoint.ts), called with its own development token as the
 * add-on calls the deployed API. These commands never open the database themselves (and load no
 * firebase-admin); without a running stack they say to start one.
 */
import { resolve } from 'node:path';
import type { ApiTarget } from '../adapters/apiClient';
import { findEndpoint } from '../adapters/stackEndpoint';
import { ApiRefusalError, CommandError } from '../adapters/terminal/errors';

const NOT_RUNNING_ZH =
  '本地服务没有在运行：请先在另一个终端窗口对这个工作簿运行 npm start（例如 npm start -- PATH），再执行此命令。';
const NOT_RUNNING_EN =
  'The local stack is not running: start it on this workbook in another terminal (npm start -- PATH), then run this command again.';

/** The stack serving PATH, and the handler that turns "nothing answers" into the same advice. */
export async function stackTarget(
  path: string,
): Promise<{ target: ApiTarget; notRunning: (error: unknown) => never }> {
  const notRunningError = () =>
    new CommandError(NOT_RUNNING_ZH.replace('PATH', path), NOT_RUNNING_EN.replace('PATH', path));
  const endpoint = await findEndpoint(resolve(path));
  if (!endpoint) throw notRunningError();
  return {
    target: { apiUrl: endpoint.apiUrl, token: endpoint.devToken, planId: endpoint.planId },
    // The process named in stack.json is alive but nothing answers: it is not (or no longer) the stack.
    notRunning: (error) => {
      if (error instanceof ApiRefusalError) throw error;
      throw notRunningError();
    },
  };
}
