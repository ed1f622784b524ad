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

/**
 * The command could not do its work for a reason the person can fix that is not how it was called
 * (the local stack is not running, the server refused): exit 2, the two sentences, no usage.
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly messageZh: string,
    readonly messageEn: string,
  ) {
    super(messageEn);
  }
}
