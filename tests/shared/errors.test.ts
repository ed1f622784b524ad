/** The one error base: a stable code and both sentences, whichever class raised it. */
import { describe, expect, it } from 'vitest';
import { GongjianError, UnusableInputError } from '../../shared/errors';

describe('GongjianError', () => {
  it('carries the code, the Chinese and the English sentence; message shows both, Chinese first', () => {
    const error = new UnusableInputError('no_tabs', '没有找到可识别的工作表', 'No recognisable tab found');
    expect(error).toBeInstanceOf(GongjianError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('UnusableInputError');
    expect(error.code).toBe('no_tabs');
    expect(error.messageZh).toBe('没有找到可识别的工作表');
    expect(error.messageEn).toBe('No recognisable tab found');
    expect(error.message).toBe('没有找到可识别的工作表\nNo recognisable tab found');
  });
});
