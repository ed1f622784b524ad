/**
 * `gongjian ledger PATH [--from DATE] [--to DATE] [--partner ID] [--out FILE.docx]`: the activity
 * ledger (活动台账, §11) as a Word document — one 活动记录表 per done activity of the period with its
 * photos from `佐证材料/<记录编号>/` beside the workbook. By default the plan year so far, written
 * beside the workbook as `<name>-活动台账.docx`.
 *
 * - Never over an open document: while Word, WPS or LibreOffice has the output open (its lock file
 *   beside it, the check the write-back makes), nothing is written — checked before the work and
 *   again before the finished file replaces the old one.
 * - Progress on stderr: the photos copied in, so a ledger of thousands of photos shows it is alive.
 */
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { evidenceRoot } from '../../adapters/photos/folderStore';
import { ledgerBesideWorkbook, writeLedger } from '../../adapters/report/build';
import { CommandError, UsageError } from '../../adapters/terminal/errors';
import { officeLockOf } from '../../adapters/workbook/fileGuard';
import { fullDate } from '../../shared/document';
import { type LedgerScope, resolveLedgerScope } from '../../shared/ledger';
import type { IsoDate, PlanModel } from '../../shared/model';
import { reportTitle } from '../../shared/report';
import type { CliContext } from '../context';
import { loadPlan } from '../load';
import { assertOutputFolder } from '../output';

export interface LedgerArgs {
  path: string;
  from: IsoDate | undefined;
  to: IsoDate | undefined;
  /** A partner unit's ID or exact name. */
  partner: string | undefined;
  out: string | undefined;
}

/** Writes the ledger and returns the exit code. */
export async function ledgerCommand(args: LedgerArgs, ctx: CliContext): Promise<number> {
  if (args.from !== undefined && args.to !== undefined && args.from > args.to) {
    throw new UsageError(
      `--from 晚于 --to：${args.from} > ${args.to}`,
      `--from is after --to: ${args.from} > ${args.to}`,
    );
  }
  const out = args.out ?? ledgerBesideWorkbook(args.path);
  if (extname(out).toLowerCase() !== '.docx') {
    throw new UsageError(`--out 须为 .docx 文件：${out}`, `--out must be a .docx file: ${out}`);
  }
  await checkOutput(out);
  const { result, asOf } = await loadPlan(args.path, undefined, ctx);
  const model = result.model;
  const scope = scopeOf(model, args, asOf);
  const isFolder = (await stat(args.path)).isDirectory();
  let photos = 0;
  try {
    const written = await writeLedger(model, scope, {
      evidence: evidenceRoot(args.path, isFolder),
      out,
      laidOut: (total) => {
        photos = total;
        if (total > 0) ctx.progress?.photos(0, total);
      },
      onPhoto: (done, total) => ctx.progress?.photos(done, total),
      beforeReplace: () => assertDocumentClosed(out),
    });
    ctx.progress?.end();
    const { ledger } = written;
    ctx.out(
      `已写入「${reportTitle(ledger)}」（${fullDate(scope.from)}至${fullDate(scope.to)}，` +
        `活动 ${ledger.activities} 次，照片 ${written.photos} 张）：${out}`,
    );
    if (written.skipped.length > 0) {
      ctx.out(
        `以下 ${written.skipped.length} 个文件不是可读取的 JPEG 照片，未放入台账：${written.skipped.join('、')}`,
      );
    }
  } finally {
    if (photos > 0) ctx.progress?.end();
  }
  const rejected =
    result.tabs.partners.rejected + result.tabs.plan.rejected + result.tabs.activities.rejected;
  if (rejected > 0) ctx.out(`另有 ${rejected} 行未通过校验，未计入台账（运行 gongjian validate 查看原因）`);
  return 0;
}

/** The period and unit: the options over the plan year so far (shared/ledger.ts decides). */
function scopeOf(model: PlanModel, args: LedgerArgs, today: IsoDate): LedgerScope {
  const resolved = resolveLedgerScope(model, args, today);
  if (resolved.ok) return resolved.scope;
  if (resolved.problem === 'from_after_to') {
    throw new UsageError(
      `--from 晚于台账的截止日期 ${resolved.to}：${resolved.from}`,
      `--from is after the ledger's end ${resolved.to}: ${resolved.from}`,
    );
  }
  throw new CommandError(
    `工作簿中没有编号或名称为「${resolved.partner}」的共建单位`,
    `The workbook has no partner unit with the ID or name "${resolved.partner}"`,
  );
}

/** Refuses an output in a missing folder or open in an office program, before any work. */
async function checkOutput(out: string): Promise<void> {
  await assertOutputFolder(out, { zh: '活动台账', en: 'the ledger' });
  await assertDocumentClosed(out);
}

/** Throws while Word, WPS or LibreOffice has the document open (its lock file is beside it). */
async function assertDocumentClosed(out: string): Promise<void> {
  const lock = await officeLockOf(out);
  if (!lock) return;
  const program = lock.program === 'LibreOffice' ? 'LibreOffice' : 'Word/WPS';
  const file = basename(lock.lockFile);
  throw new CommandError(
    `文档正在 ${program} 中打开，请关闭后再生成（锁文件 ${file}；若程序已关闭仍有此提示，可删除该锁文件）：${out}`,
    `The document is open in ${program}; close it and run again (lock file ${file}; delete it if the program is already closed): ${out}`,
  );
}
