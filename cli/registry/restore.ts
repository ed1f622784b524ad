/** `gongjian restore`: deleted records, or one field's value, back through the running local stack (cli/commands/restore.ts). */
import { UsageError } from '../../adapters/terminal/errors';
import { defineCommand, helpOf } from '../command';

export const restore = defineCommand({
  summary:
    '经本地服务恢复已删除的记录（活动、共建单位、计划事项）/ restore deleted records (through npm start)',
  options: {
    field: {
      type: 'string',
      value: 'NAME',
      zh: '把此记录的这一列恢复为最近一次修改前的值（列标题或字段名）',
      en: 'restore this column of the one record to its value before its latest change (header or field key)',
    },
  },
  paths: 'ids',
  help: helpOf(
    `PATH 为本地服务（npm start）正在运行的 .xlsx 工作簿，ID… 为要恢复的记录编号。
PATH is the .xlsx workbook the local stack (npm start) runs on; ID… are the records to restore.`,
    '0 已恢复（此前已恢复的也算）restored (now or before)',
    '2 有编号无法恢复（逐个说明原因）、用法错误、本地服务未运行 an ID could not be restored (each says why), a usage mistake, no stack running',
  ),
  args: (path, o) => {
    const ids = o.positionals.slice(1);
    if (ids.length === 0) throw new UsageError('缺少要恢复的记录编号', 'Give the IDs to restore');
    const field = o.strings.field;
    if (field !== undefined && ids.length !== 1)
      throw new UsageError('--field 只能恢复一条记录的值', '--field restores a value of one record');
    return { path, ids, ...(field !== undefined && { field }) };
  },
  action: async (args, ctx) => (await import('../commands/restore')).restoreCommand(args, ctx),
});
