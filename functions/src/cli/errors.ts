import { GongjianError } from '../../../shared/errors';

/** A mistake in how the command was called (exit 2, usage shown). */
export class UsageError extends GongjianError<'usage'> {
  override readonly name = 'UsageError';
  constructor(messageZh: string, messageEn: string) {
    super('usage', messageZh, messageEn);
  }
}
