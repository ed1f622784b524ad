/**
 * 发送填报请求 and 撤销填报链接: what the dialogs offer (the plan's measure owners and partner units
 * that have an email, from the sheet as it stands) and what they send. The people are read from
 * the sheet with the same validation as everything else; the server checks them again against the
 * last sync and refuses, naming them, anyone it cannot reach.
 */
import * as z from 'zod';
import { cleanAddresses } from '../../shared/emails/layout';
import { AddonError, parsePageInput } from './errors';
import { readWorkbook } from './sheetIo';
import { validateTabs } from './validation';

/** What the request dialog offers. */
export interface RequestDialogData {
  /** The request this dialog sends: pressing 发送 again after a timeout queues nothing new. */
  requestId: string;
  today: string;
  owners: { email: string; name: string; measures: string[] }[];
  partners: { id: string; name: string; emails: string[] }[];
}

/** The owners (by email) and active partner units with an email, of the accepted rows. */
export function requestDialogData(
  spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet,
  requestId: string,
): RequestDialogData {
  const read = readWorkbook(spreadsheet);
  const { result, asOf } = validateTabs(read.tabs);
  const owners = new Map<string, RequestDialogData['owners'][number]>();
  for (const measure of result.model.measures) {
    const [email] = cleanAddresses(measure.ownerEmail === undefined ? [] : [measure.ownerEmail]);
    if (email === undefined) continue;
    const key = email.toLowerCase();
    const owner = owners.get(key) ?? { email: key, name: measure.owner ?? '', measures: [] };
    owner.measures.push(measure.measureId);
    owners.set(key, owner);
  }
  const partners = result.model.partners
    .filter((p) => p.active && cleanAddresses(p.emails).length > 0)
    .map((p) => ({ id: p.partnerId, name: p.name, emails: cleanAddresses(p.emails) }));
  return { requestId, today: asOf, owners: [...owners.values()], partners };
}

/** The request dialog's form as the page sends it. */
export const RequestForm = z.object({
  requestId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  to: z.array(z.string().min(1).max(200)).max(500),
  message: z.string().max(1000).optional(),
  due: z.string().optional(),
});
export type RequestForm = z.infer<typeof RequestForm>;

/** The form checked: at least one person, a date as the date picker gives it, or a Chinese sentence. */
export function parseRequestForm(input: unknown): RequestForm {
  const form = parsePageInput(
    RequestForm,
    input,
    '填报请求的内容无法识别，请关闭窗口后重新打开「发送填报请求」。',
    'The update request form is not understood; close the window and open 发送填报请求 again.',
  );
  const { due, message } = form;
  if (form.to.length === 0)
    throw new AddonError(
      'invalid_form',
      '请至少选择一位责任人或一个共建单位。',
      'Choose at least one person in charge or one partner organisation.',
    );
  if (due !== undefined && due !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(due)) {
    throw new AddonError(
      'invalid_form',
      '填报截止日期无法识别，请用日期选择器选择。',
      'The reply-by date is not understood; pick it with the date picker.',
    );
  }
  return {
    requestId: form.requestId,
    to: form.to,
    ...(message !== undefined && message.trim() !== '' && { message: message.trim() }),
    ...(due !== undefined && due !== '' && { due }),
  };
}
