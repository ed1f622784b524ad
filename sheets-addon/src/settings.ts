/**
 * The add-on's own settings (设置 dialog): the API address and the plan ID, kept in the
 * spreadsheet's document properties so everyone editing the sheet syncs to the same plan.
 */
import * as z from 'zod';
import { AddonError, MESSAGES } from './errors';

const API_URL_KEY = 'gongjian.apiUrl';
const PLAN_ID_KEY = 'gongjian.planId';

/**
 * An https address without query or fragment (checked by shape: z.url() needs the URL class,
 * which Apps Script lacks). Apps Script fetches from Google's servers, so http and localhost
 * could never be reached anyway.
 */
const API_URL = /^https:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[^\s?#]*)?$/;
/** The API's own rule for plan IDs (functions/src/http/api.ts). */
const PLAN_ID = /^(?!__.*__$)[A-Za-z0-9_-]{1,64}$/;

export const AddonSettings = z.object({
  apiUrl: z
    .string()
    .trim()
    .regex(API_URL, {
      error: 'API 地址须以 https:// 开头，例如 https://asia-east2-项目.cloudfunctions.net/api',
    })
    .transform((url) => url.replace(/\/+$/, '')),
  planId: z
    .string()
    .trim()
    .regex(PLAN_ID, { error: '计划编号只能由字母、数字、下划线和连字符组成，最多 64 个字符' }),
});
export type AddonSettings = z.infer<typeof AddonSettings>;

export type SettingsFormResult =
  | { ok: true; settings: AddonSettings }
  | { ok: false; errors: Partial<Record<keyof AddonSettings, string>> };

/** Parses what the settings dialog sent. */
export function parseSettingsForm(form: unknown): SettingsFormResult {
  const parsed = AddonSettings.safeParse(form);
  if (parsed.success) return { ok: true, settings: parsed.data };
  const errors: Partial<Record<keyof AddonSettings, string>> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0];
    if ((field === 'apiUrl' || field === 'planId') && errors[field] === undefined) {
      errors[field] = issue.code === 'invalid_type' ? '必填' : issue.message;
    }
  }
  return { ok: false, errors };
}

function documentProperties(): GoogleAppsScript.Properties.Properties {
  const properties = PropertiesService.getDocumentProperties();
  if (!properties) throw new AddonError('no_document', ...MESSAGES.noDocument);
  return properties;
}

/** The stored settings as the dialog shows them (empty strings when unset). */
export function storedSettings(): { apiUrl: string; planId: string } {
  const properties = documentProperties();
  return {
    apiUrl: properties.getProperty(API_URL_KEY) ?? '',
    planId: properties.getProperty(PLAN_ID_KEY) ?? '',
  };
}

/** The stored settings, or undefined while they are not (validly) filled in. */
export function configuredSettings(): AddonSettings | undefined {
  const parsed = AddonSettings.safeParse(storedSettings());
  return parsed.success ? parsed.data : undefined;
}

/** The stored settings, or an AddonError telling staff to fill them in. */
export function requireSettings(): AddonSettings {
  const settings = configuredSettings();
  if (!settings) throw new AddonError('not_configured', ...MESSAGES.notConfigured);
  return settings;
}

/** Stores valid settings. */
export function storeSettings(settings: AddonSettings): void {
  documentProperties().setProperties({ [API_URL_KEY]: settings.apiUrl, [PLAN_ID_KEY]: settings.planId });
}
