/**
 * 生成活动台账: a small dialog (Ledger.html) asks for the period and, optionally, one partner unit,
 * and the server builds the ledger away from the request (`POST /v1/plans/{id}/ledger`) and emails
 * the caller its download link — a .docx with photos is too big to attach, and a ledger of a
 * thousand activities takes longer than Apps Script would wait.
 *
 * The period's default is the server's rule (shared/ledger.ts: the plan year so far): the dialog
 * sends empty dates as absent rather than guessing the plan year from the sheet, so the add-on, the
 * CLI and the API cannot disagree. The body is checked with the route's own schema before it is
 * sent; an unknown partner or a period the plan does not have comes back as the server's sentence.
 */
import * as z from 'zod';
import { LedgerRequest } from '../../shared/api';
import { postLedger } from './api';
import { AddonError } from './errors';
import type { AddonSettings } from './settings';
import { readWorkbook } from './sheetIo';
import { validateTabs } from './validation';

/** What the dialog is opened with: the partner units to offer (the field also takes any text). */
export interface LedgerDialogData {
  partners: { id: string; name: string }[];
}

/** The sheet's partner units, as the dialog's suggestions. */
export function ledgerDialogData(spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet): LedgerDialogData {
  const { result } = validateTabs(readWorkbook(spreadsheet).tabs);
  return { partners: result.model.partners.map((p) => ({ id: p.partnerId, name: p.name })) };
}

/** What the dialog sends: three text fields, any of them empty. */
const LedgerForm = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  partner: z.string().optional(),
});

/** The sentence shown once the build is queued. */
export const LEDGER_QUEUED = '正在生成，完成后将发送下载链接到您的邮箱';

/** Sends the dialog's request; answers the lines the dialog shows. */
export function requestLedger(settings: AddonSettings, form: unknown, token: string): string[] {
  const fields = LedgerForm.safeParse(form).data ?? {};
  const given = (text: string | undefined) =>
    text === undefined || text.trim() === '' ? undefined : text.trim();
  const body = LedgerRequest.safeParse({
    ...(given(fields.from) !== undefined && { from: given(fields.from) }),
    ...(given(fields.to) !== undefined && { to: given(fields.to) }),
    ...(given(fields.partner) !== undefined && { partner: given(fields.partner) }),
  });
  if (!body.success)
    throw new AddonError(
      'invalid_form',
      '日期须为 YYYY-MM-DD 格式的真实日期，且起始日期不晚于截止日期。',
      'Dates must be real dates as YYYY-MM-DD, the first not after the last.',
    );
  const answer = postLedger(settings, body.data, token);
  return [
    `${LEDGER_QUEUED}（${answer.mailTo}）。`,
    `台账范围：${answer.from} 至 ${answer.to}${answer.partnerId ? `，共建单位 ${answer.partnerId}` : ''}；依据最近一次「同步到云端」的数据。`,
  ];
}
