/**
 * The terminal programs' one error boundary (adapters/terminal/errors.ts), keyed on the
 * GongjianError base: any error a person is told about exits 2 with its two sentences, a crashed
 * emulator 1, a bug 3. A refusal of the API reaching a terminal program (the local stack's sync, `gongjian request`)
 * keeps the server's code and sentences, and the one boundary maps it by code: what the person
 * can act on exits 2 with the server's words, only the server's own failure is internal (3).
 */
import { describe, expect, it } from 'vitest';
import { refusalOf } from '../../../adapters/apiClient';
import { reportTerminalError } from '../../../adapters/terminal/errors';
import { GongjianError } from '../../../shared/errors';

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

describe('the boundary keyed on the error base', () => {
  it('a Gongjian error it has no case for is the person’s to act on: exit 2, both sentences, no stack', () => {
    expect(report(new GongjianError('form_port_taken', '端口已被占用', 'The port is taken'))).toEqual({
      code: 2,
      text: '端口已被占用\nThe port is taken',
    });
  });

  it('a crashed emulator exits 1, any other error is a bug (3)', () => {
    expect(report(new GongjianError('emulator_crashed', '模拟器退出', 'Emulator exited')).code).toBe(1);
    const bug = report(new TypeError('x is undefined'));
    expect(bug).toEqual({ code: 3, text: '内部错误：x is undefined\nInternal error: x is undefined' });
  });
});
