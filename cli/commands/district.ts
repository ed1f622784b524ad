/**
 * `gongjian district ID --create NAME [--viewer EMAIL]… [--admin EMAIL]… [--timezone TZ]`,
 * `gongjian district ID --add PLAN`, `gongjian district ID --remove PLAN`,
 * `gongjian district ID --sheet SPREADSHEET_ID` (the roll-up written into that Google Sheet) and
 * `gongjian district ID [--add-viewer EMAIL]… [--remove-viewer EMAIL]… [--add-admin EMAIL]…
 * [--remove-admin EMAIL]…` (one request, whatever the mix), each with
 * `--api URL`: a district's admin routes (§13) on a running API — deployed, or the local stack.
 * The caller's identity token comes from the environment (GONGJIAN_TOKEN), never from the command
 * line, where other users of the machine could read it. The server decides who may: creating is
 * for the service's admins, adding and removing plans and people for the district's.
 */
import { type DistrictTarget, postDistrictRoute } from '../../adapters/apiClient';
import { ApiRefusalError, CommandError, UsageError } from '../../adapters/terminal/errors';
import type { DistrictResponse } from '../../shared/districtApi';
import type { CliContext } from '../context';

export interface DistrictCommandOptions {
  districtId: string;
  apiUrl: string | undefined;
  token: string | undefined;
  create?: string | undefined;
  add?: string | undefined;
  remove?: string | undefined;
  sheet?: string | undefined;
  viewers: readonly string[];
  admins: readonly string[];
  addViewers?: readonly string[];
  removeViewers?: readonly string[];
  addAdmins?: readonly string[];
  removeAdmins?: readonly string[];
  timezone?: string | undefined;
}

/** Runs one district admin action; exit 0 when the server has done it. */
export async function districtCommand(options: DistrictCommandOptions, ctx: CliContext): Promise<number> {
  const people = {
    addViewers: [...(options.addViewers ?? [])],
    removeViewers: [...(options.removeViewers ?? [])],
    addAdmins: [...(options.addAdmins ?? [])],
    removeAdmins: [...(options.removeAdmins ?? [])],
  };
  const changesPeople = Object.values(people).some((emails) => emails.length > 0);
  const actions = [
    options.create,
    options.add,
    options.remove,
    options.sheet,
    changesPeople || undefined,
  ].filter((value) => value !== undefined);
  if (actions.length !== 1) {
    throw new UsageError(
      '请给出 --create、--add、--remove、--sheet 之一，或 --add-viewer、--remove-viewer、--add-admin、--remove-admin（可组合）',
      'Give exactly one of --create, --add, --remove or --sheet, or --add-viewer, --remove-viewer, --add-admin, --remove-admin (combined as you like)',
    );
  }
  if (options.apiUrl === undefined)
    throw new UsageError('缺少 --api（服务地址）', '--api (the API URL) is missing');
  if (!options.token) {
    throw new UsageError(
      '请在环境变量 GONGJIAN_TOKEN 中提供身份令牌',
      'Put your identity token in the GONGJIAN_TOKEN environment variable',
    );
  }
  const target: DistrictTarget = {
    apiUrl: options.apiUrl,
    token: options.token,
    districtId: options.districtId,
  };
  const unreachable = (error: unknown): never => {
    if (error instanceof ApiRefusalError) throw error;
    throw new CommandError(`无法连接 ${options.apiUrl}`, `Cannot reach ${options.apiUrl}`);
  };
  let district: DistrictResponse;
  if (options.create !== undefined) {
    district = await postDistrictRoute(target, 'districtCreate', {
      name: options.create,
      viewers: [...options.viewers],
      admins: [...options.admins],
      ...(options.timezone !== undefined && { timezone: options.timezone }),
    }).catch(unreachable);
    ctx.out(`已创建街道「${district.name}」（${district.districtId}）/ district created`);
  } else if (options.sheet !== undefined) {
    district = await postDistrictRoute(target, 'districtSheet', { spreadsheetId: options.sheet }).catch(
      unreachable,
    );
    ctx.out(
      `街道「${district.name}」的汇总已写入 Google 表格 ${options.sheet}，此后每次重算都会更新 / the roll-up is in the sheet and follows every recomputation`,
    );
    return 0;
  } else if (changesPeople) {
    district = await postDistrictRoute(target, 'districtPeople', people).catch(unreachable);
    ctx.out(`已更新街道「${district.name}」的查看人与管理员 / viewers and admins updated`);
    ctx.out(`查看人 / viewers (${district.viewers.length})：${district.viewers.join('、') || '（无 none）'}`);
    ctx.out(`管理员 / admins (${district.admins.length})：${district.admins.join('、') || '（无 none）'}`);
    return 0;
  } else {
    const planId = (options.add ?? options.remove) as string;
    const route = options.add !== undefined ? 'districtAddPlan' : 'districtRemovePlan';
    district = await postDistrictRoute(target, route, { planId }).catch(unreachable);
    ctx.out(
      `${options.add !== undefined ? '已加入' : '已移出'}计划 ${planId} / plan ${options.add !== undefined ? 'added' : 'removed'}`,
    );
  }
  ctx.out(
    `成员计划 / member plans (${district.plans.length})：${district.plans.join('、') || '（无 none）'}`,
  );
  return 0;
}
