/** A mistake in how the command was called (exit 2, usage shown). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    readonly messageZh: string,
    readonly messageEn: string,
  ) {
    super(messageEn);
  }
}
