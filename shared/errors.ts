/**
 * The one error base. Every failure a person is told about carries a stable `code` (what each
 * runtime maps at its one boundary: HTTP status, CLI exit code, add-on message) and the same
 * sentence in Chinese and in English. `message` holds both, Chinese first, so a log line or a
 * stack trace shows what the person was told.
 */
export class GongjianError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    readonly messageZh: string,
    readonly messageEn: string,
  ) {
    super(`${messageZh}\n${messageEn}`);
  }
}

/** Why an input cannot be used at all (CLI exit 2). */
export type UnusableCode =
  | 'not_found'
  | 'unreadable'
  | 'corrupt_xlsx'
  | 'encrypted_xlsx'
  | 'cell_too_large'
  | 'workbook_too_large'
  | 'bad_encoding'
  | 'no_tabs'
  | 'duplicate_tab';

/** Raised when the input as a whole is unusable. */
export class UnusableInputError extends GongjianError<UnusableCode> {
  override readonly name = 'UnusableInputError';
}
