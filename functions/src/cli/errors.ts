import { GongjianError } from '../../../shared/errors';

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
