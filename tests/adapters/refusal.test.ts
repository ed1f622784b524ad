/**
 * A refusal of the API reaching a terminal program (the local stack's sync, `gongjian request`)
 * keeps the server's code and sentences, and the one boundary maps it by code: what the person
 * can act on exits 2 with the server's words, only the server's own failure is internal (3).
 */
import { describe, expect, it } from 'vitest';
import { reportTerminalError } from '../../adapters/terminal/errors';
import { refusalOf } from '../../adapters/terminal/refusal';

function report(error: unknown) {
  const lines: string[] = [];
  const code = reportTerminalError(error, { err: (text) => lines.push(text) });
  return { code, text: lines.join('\n') };
}

const body = (code: string, message: string, messageEn: string) => ({ error: { code, message, messageEn } });

describe('a refusal at the terminal boundary', () => {
  it('a busy plan keeps its code and exits 2 with the server’s two sentences', () => {
    const refusal = refusalOf(
      409,
      body('sync_in_progress', '另一次同步正在进行，请稍后再同步', 'Another sync is in progress'),
    );
    expect(refusal.code).toBe('sync_in_progress');
    expect(report(refusal)).toEqual({
      code: 2,
      text: '另一次同步正在进行，请稍后再同步\nAnother sync is in progress',
    });
  });

  it('the server’s internal error and an answer outside the contract stay internal (exit 3)', () => {
    expect(report(refusalOf(500, body('internal', '服务器内部错误', 'Internal error'))).code).toBe(3);
    const unknown = refusalOf(502, '<html>Bad gateway</html>');
    expect(unknown.code).toBe('unknown');
    expect(report(unknown)).toMatchObject({ code: 3 });
    expect(report(unknown).text).toContain('服务器的回复无法识别（HTTP 502）');
  });

  it('a code this build does not know is not taken for a known one', () => {
    expect(refusalOf(409, body('from_a_newer_server', '新', 'new')).code).toBe('unknown');
  });
});
