/** `gongjian district`: a district on a running API (cli/commands/district.ts). */
import { defineCommand, stringOption } from '../command';

/** An email option that may repeat: `--viewer A --viewer B`. */
const emails = (zh: string, en: string) => stringOption('EMAIL', zh, en);

export const district = defineCommand({
  summary:
    '街道管理：创建街道、加入或移出计划、增减查看人与管理员 / a district: create it, add or remove plans and people',
  options: {
    api: stringOption('URL', '服务地址', 'the API URL'),
    create: stringOption('NAME', '以此名称创建街道', 'create the district with this name'),
    add: stringOption('PLAN', '加入此计划', 'add this plan'),
    remove: stringOption('PLAN', '移出此计划', 'remove this plan'),
    sheet: stringOption(
      'SPREADSHEET_ID',
      '街道汇总写入此 Google 表格（须先共享给服务账号）',
      'write the roll-up into this Google Sheet (shared with the service account first)',
    ),
    viewer: emails('（创建时）查看人邮箱，可重复', '(with --create) a viewer email; repeat it'),
    admin: emails('（创建时）管理员邮箱，可重复', '(with --create) an admin email; repeat it'),
    timezone: stringOption('TZ', '（创建时）时区', '(with --create) the time zone'),
    'add-viewer': emails('加入查看人，可重复', 'add a viewer; repeat it'),
    'remove-viewer': emails('移除查看人，可重复', 'remove a viewer; repeat it'),
    'add-admin': emails('加入管理员，可重复', 'add an admin; repeat it'),
    'remove-admin': emails('移除管理员，可重复', 'remove an admin; repeat it'),
  },
  help: `PATH 为街道编号（字母、数字、_ 与 -）。身份令牌取自环境变量 GONGJIAN_TOKEN。
PATH is the district ID (letters, digits, _ and -). The identity token is read from GONGJIAN_TOKEN.
退出码 / exit codes: 0 完成 done · 2 用法错误或服务拒绝 a usage mistake or a refusal by the server · 3 内部错误 internal error`,
  args: (districtId, o) => ({
    districtId,
    apiUrl: o.strings.api,
    // The token is a secret: from the environment, never the command line (cli/commands/district.ts).
    token: process.env.GONGJIAN_TOKEN,
    create: o.strings.create,
    add: o.strings.add,
    remove: o.strings.remove,
    sheet: o.strings.sheet,
    viewers: o.lists.viewer ?? [],
    admins: o.lists.admin ?? [],
    addViewers: o.lists['add-viewer'] ?? [],
    removeViewers: o.lists['remove-viewer'] ?? [],
    addAdmins: o.lists['add-admin'] ?? [],
    removeAdmins: o.lists['remove-admin'] ?? [],
    timezone: o.strings.timezone,
  }),
  action: async (args, ctx) => (await import('../commands/district')).districtCommand(args, ctx),
});
