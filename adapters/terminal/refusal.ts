import { ErrorBody } from '../../shared/api';
import { knownErrorCode } from '../../shared/apiErrors';
import { ApiRefusalError } from './errors';

/** The refusal a non-2xx answer of the API carries; an answer outside the contract says its status. */
export function refusalOf(status: number, json: unknown): ApiRefusalError {
  const parsed = ErrorBody.safeParse(json);
  if (!parsed.success)
    return new ApiRefusalError(
      'unknown',
      `服务器的回复无法识别（HTTP ${status}）`,
      `Unrecognised answer from the server (HTTP ${status})`,
    );
  const { code, message, messageEn, reason } = parsed.data.error;
  return new ApiRefusalError(knownErrorCode(code) ?? 'unknown', message, messageEn, reason);
}
