/**
 * What can go wrong in the add-on, as one Chinese sentence for staff (with its English for the
 * execution log). Errors are raised as AddonError (or come from Apps Script as plain Errors with
 * English, sometimes localised, text) and turned into a sentence at one boundary:
 * `describeFailure`, called by main.ts.
 */
import type * as z from 'zod';
import type { RouteName } from '../../shared/api';
import { GongjianError } from '../../shared/errors';

export type AddonErrorCode =
  | 'not_configured'
  | 'no_document'
  | 'lock_busy'
  | 'no_token'
  | 'network'
  | 'timeout'
  | 'not_authorized'
  | 'quota_urlfetch'
  | 'quota_time'
  | 'quota'
  | 'refused'
  | 'bad_response'
  | 'not_initialised'
  | 'invalid_form'
  | 'wrong_selection';

/** A failure the add-on understands, with the sentence staff read (`messageZh`). */
export class AddonError extends GongjianError<AddonErrorCode> {
  override readonly name = 'AddonError';
}

/**
 * What a page sent, parsed by its schema, or `invalid_form` with the page's own sentence: a page
 * sends only what its script builds, so a shape it cannot have means a stale page to reopen.
 */
export function parsePageInput<T>(schema: z.ZodType<T>, input: unknown, zh: string, en: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new AddonError('invalid_form', zh, en);
  return parsed.data;
}

/** The sentences said in more than one place, Chinese then English: `new AddonError(code, ...MESSAGES.x)`. */
export const MESSAGES = {
  notConfigured: [
    '请先在「扩展程序 → 共建助手 → 设置」中填写 API 地址和计划编号。',
    'Fill in the API address and the plan ID under Extensions → 共建助手 → 设置 first.',
  ],
  noDocument: [
    '无法访问当前表格的文档属性，请在表格中重新打开共建助手。',
    "The spreadsheet's document properties cannot be read; open the add-on again from the spreadsheet.",
  ],
  lockBusy: [
    '另一位同事正在同步或写入本表，请稍后再试。',
    'A colleague is syncing or writing this spreadsheet; try again in a moment.',
  ],
  noToken: [
    '无法取得你的身份令牌。请关闭并重新打开表格，在授权提示中允许共建助手（需要 openid 和邮箱权限）后再试。',
    'Your identity token is not available. Close and reopen the spreadsheet, allow the add-on (openid and email) when asked, and try again.',
  ],
  notAuthorized: [
    '共建助手尚未获得访问网络的授权。请在菜单中重新运行一次并允许授权后再试。',
    'The add-on is not yet allowed to reach the network. Run it again from the menu, allow it, and try again.',
  ],
  quotaUrlFetch: [
    '今天 Apps Script 的网络请求次数已达上限（UrlFetch 配额），请明天再试，或联系管理员。',
    "Today's Apps Script UrlFetch quota is used up; try again tomorrow or contact the administrator.",
  ],
  quotaTime: [
    '运行时间超过 Apps Script 的上限（6 分钟），操作未完成。请稍后重试；表格很大时请联系管理员。',
    'The run went over the Apps Script limit (6 minutes) and did not finish. Try again later; for a very large spreadsheet contact the administrator.',
  ],
  quota: [
    'Apps Script 服务调用过于频繁，已达配额上限，请稍等几分钟再试。',
    'Apps Script services were called too often and hit their quota; wait a few minutes and try again.',
  ],
  badResponse: [
    '服务器的回复无法识别，请确认设置中的 API 地址指向共建助手服务。',
    "The server's answer is not understood; check that the API address in the settings points to the Gongjian service.",
  ],
  notInitialised: [
    '没有找到「活动」工作表，请先运行「共建助手 → 初始化表格」。',
    'No 活动 sheet was found; run 共建助手 → 初始化表格 first.',
  ],
} as const;

/** The host of an http(s) address, for messages (Apps Script has no URL class). */
export function hostOf(url: string): string {
  return /^https?:\/\/([^/?#]+)/i.exec(url)?.[1] ?? url;
}

/**
 * The message of anything thrown. Not `instanceof Error`: an exception from an Apps Script
 * service need not be an Error of the script's own realm.
 */
export function messageOf(error: unknown): string {
  if (
    typeof error === 'object' &&
    error !== null &&
    'message' in error &&
    typeof error.message === 'string'
  ) {
    return error.message;
  }
  return String(error);
}

/**
 * No answer in time: the request may have reached the server and been applied — unlike a
 * connection that failed, which the server never saw.
 */
const TIMEOUT = [/Timeout/i, /timed out/i, /超时/];

/** Network failures as UrlFetchApp reports them (English, or the user's language). */
const NETWORK = [
  /Address unavailable/i,
  /DNS error/i,
  /Connection (?:reset|refused|closed)/i,
  /unreachable/i,
  /SSL/i,
  /Bad request: https?:/i,
  /Invalid argument: https?:/i,
  /地址不可用|无法访问|DNS 错误/,
];

/** Maps an exception thrown by UrlFetchApp.fetch to an AddonError. */
export function fetchFailure(error: unknown, url: string, action: RouteName): AddonError {
  const message = messageOf(error);
  const quota = quotaFailure(message);
  if (quota) return quota;
  if (/permission to call UrlFetchApp|required permissions|没有.*权限/i.test(message)) {
    return new AddonError('not_authorized', ...MESSAGES.notAuthorized);
  }
  const host = hostOf(url);
  if (/allowlist|whitelist|允许列表|许可名单/i.test(message)) {
    return new AddonError(
      'not_authorized',
      `API 地址（${host}）不在加载项允许访问的网址列表中：请管理员把它加入 appsscript.json 的 urlFetchWhitelist 后重新发布，或检查设置中的 API 地址。`,
      `The API address (${host}) is not in the add-on's URL allowlist: an administrator must add it to urlFetchWhitelist in appsscript.json and publish again, or check the API address in the settings.`,
    );
  }
  if (TIMEOUT.some((pattern) => pattern.test(message))) {
    // A sync repeated with the same rows writes nothing twice (IDs derive from row content).
    const [zh, en] =
      action === 'sync'
        ? [
            `等待共建助手服务器（${host}）答复超时。服务器可能已经完成了这次同步，只是答复没有传回：请再同步一次（重复同步不会产生重复记录），以写回记录编号和校验结果。`,
            `The Gongjian server (${host}) did not answer in time. It may have finished this sync without the answer coming back: sync again (a repeated sync creates no duplicate records) to write back the record IDs and the validation.`,
          ]
        : action === 'report'
          ? [
              `等待共建助手服务器（${host}）答复超时。年度总结可能已经在发送中：请先查看邮箱，几分钟后仍未收到再重新生成。`,
              `The Gongjian server (${host}) did not answer in time. The year-end summary may already be on its way: check your mailbox, and generate it again only if nothing arrives within a few minutes.`,
            ]
          : action === 'requests'
            ? [
                `等待共建助手服务器（${host}）答复超时。请求可能已经发出：请在同一窗口再点一次「发送」（同一次请求不会重复发送）。`,
                `The Gongjian server (${host}) did not answer in time. The requests may have gone out: press Send again in the same window (the same request is never sent twice).`,
              ]
            : [
                `等待共建助手服务器（${host}）答复超时，请稍后重试。`,
                `The Gongjian server (${host}) did not answer in time; try again later.`,
              ];
    return new AddonError('timeout', zh, en);
  }
  if (NETWORK.some((pattern) => pattern.test(message))) {
    return new AddonError(
      'network',
      `无法连接到共建助手服务器（${host}）：请检查网络，以及设置中的 API 地址是否正确，然后重试。`,
      `Cannot connect to the Gongjian server (${host}): check the network and the API address in the settings, then try again.`,
    );
  }
  // muteHttpExceptions is on, so anything else fetch throws is still a transport failure.
  return new AddonError(
    'network',
    `连接共建助手服务器（${host}）失败：${message}`,
    `Connecting to the Gongjian server (${host}) failed: ${message}`,
  );
}

/** Apps Script quota and time-limit errors, or undefined when the message is none of them. */
export function quotaFailure(message: string): AddonError | undefined {
  if (
    /Service invoked too many times.*urlfetch|UrlFetch.*(?:quota|limit)|Bandwidth quota exceeded/i.test(
      message,
    )
  ) {
    return new AddonError('quota_urlfetch', ...MESSAGES.quotaUrlFetch);
  }
  if (/Exceeded maximum execution time|超出.*执行时间|超过.*执行时间/i.test(message)) {
    return new AddonError('quota_time', ...MESSAGES.quotaTime);
  }
  if (
    /Service invoked too many times|too many simultaneous invocations|调用次数过多|Limit Exceeded/i.test(
      message,
    )
  ) {
    return new AddonError('quota', ...MESSAGES.quota);
  }
  return undefined;
}

/** The one sentence staff see for any failure. */
export function describeFailure(error: unknown): string {
  if (error instanceof GongjianError) return error.messageZh;
  const message = messageOf(error);
  const quota = quotaFailure(message);
  if (quota) return quota.messageZh;
  return `共建助手出错了：${message}`;
}
