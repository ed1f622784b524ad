/** Why an input cannot be used at all (CLI exit 2). */
export type UnusableCode =
  | 'not_found'
  | 'unreadable'
  | 'corrupt_xlsx'
  | 'encrypted_xlsx'
  | 'cell_too_large'
  | 'bad_encoding'
  | 'no_tabs'
  | 'duplicate_tab';

/** Raised when the input as a whole is unusable; carries a Chinese and an English sentence. */
export class UnusableInputError extends Error {
  override readonly name = 'UnusableInputError';
  constructor(
    readonly code: UnusableCode,
    readonly messageZh: string,
    readonly messageEn: string,
  ) {
    super(messageEn);
  }
}
