import type { ApiErrorCode } from '../../shared/apiErrors';
import { GongjianError, UnusableInputError } from '../../shared/errors';

/** A mistake in how the command was called (exit 2, usage shown). */
export class UsageError extends GongjianError<'usage'> {
  override readonly name = 'UsageError';
  constructor(messageZh: string, messageEn: string) {
    super('usage', messageZh, messageEn);
  }
}

/**
 * The command could not do its work for a reason the person can fix that is not how it was called
 * (the local stack is not running, the server refused): exit 2, the two sentences, no usage.
 */
export class CommandError extends GongjianError<'command'> {
  override readonly name = 'CommandError';
  constructor(messageZh: string, messageEn: string) {
    super('command', messageZh, messageEn);
  }
}

/**
 * The API refused a request of the local stack's or the CLI's: the server's code and its two
 * sentences, kept as it said them, so the boundary maps the refusal by code like every client.
 */
export class ApiRefusalError extends GongjianError<ApiErrorCode | 'unknown'> {
  override readonly name = 'ApiRefusalError';
  constructor(
    code: ApiErrorCode | 'unknown',
    messageZh: string,
    messageEn: string,
    /** Why a workbook is unusable, where the code is `unusable_input`. */
    readonly reason?: string,
  ) {
    super(code, messageZh, messageEn);
  }
}

/** Where a program's errors are said: stderr, and whether to add an internal error's stack. */
export interface ErrorOutput {
  err: (text: string) => void;
  debug?: boolean | undefined;
}

/**
 * Exit codes other than 2 by error code. Every GongjianError is a failure the person is told about
 * in two sentences (shared/errors.ts), so by default it is something they can act on: 2. The
 * local database's emulator dying is 1 (run again; nothing acknowledged is lost); the server's own
 * failure, or an answer outside the contract, is a bug: 3.
 */
const EXIT_CODES: Readonly<Record<string, 1 | 3>> = { emulator_crashed: 1, internal: 3, unknown: 3 };

/**
 * The one boundary of the terminal programs (the CLI, npm start), keyed on the GongjianError base:
 * says what went wrong in one sentence each in Chinese and English and returns the exit code — 2
 * for what the person can fix (a usage error shows `help` under it), 1 for a crashed emulator, 3
 * for a bug, whose stack only GONGJIAN_DEBUG shows.
 */
export function reportTerminalError(error: unknown, ctx: ErrorOutput, help?: string): number {
  if (error instanceof UsageError) {
    ctx.err(`${error.messageZh}\n${error.messageEn}${help === undefined ? '' : `\n\n${help}`}`);
    return 2;
  }
  if (error instanceof UnusableInputError) {
    ctx.err(`无法使用输入：${error.messageZh}\nUnusable input: ${error.messageEn}`);
    return 2;
  }
  const exit = error instanceof GongjianError ? (EXIT_CODES[error.code] ?? 2) : 3;
  if (exit !== 3 && error instanceof GongjianError) {
    ctx.err(`${error.messageZh}\n${error.messageEn}`);
    return exit;
  }
  // A bug, not a user mistake: say so plainly; the stack only on request.
  const detail = error instanceof Error ? error.message : String(error);
  ctx.err(`内部错误：${detail}\nInternal error: ${detail}`);
  if (ctx.debug && error instanceof Error && error.stack) ctx.err(error.stack);
  return 3;
}
