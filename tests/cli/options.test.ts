/**
 * Per-command options (issue 10, item 8): each command accepts its own options and nothing else;
 * `--help`, `COMMAND --help` and `--version` print and exit 0. In-process through runCli, and once
 * through the real binary for the exit codes a shell sees.
 */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/registry';
import { runCli } from '../../cli/run';
import { version } from '../../package.json';
import { gongjian } from './run-cli';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    now: () => new Date('2026-06-30T04:00:00Z'),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('an option the command does not have', () => {
  it.each([
    ['--force', ['validate', 'x.xlsx', '--force']],
    ['--out', ['stats', 'x.xlsx', '--out', 'dir']],
    ['--json', ['init', 'x.xlsx', '--json']],
    ['--year', ['digest', 'x.xlsx', '--out', 'dir', '--year', '2026']],
    ['--json', ['report', 'x.xlsx', '--json']],
    ['-x', ['validate', 'x.xlsx', '-x']],
  ])('%s is refused before anything is read, naming it (exit 2): %j', async (unknown, argv) => {
    const run = await cli(...argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`未知选项：${unknown}`);
    expect(run.stderr).toContain(`Unknown option: ${unknown}`);
    // The command's own help follows, not a "file not found" from going ahead.
    expect(run.stderr).toContain(`用法 / Usage: gongjian ${argv[0]} PATH`);
    expect(run.stderr).not.toMatch(/找不到/);
    expect(run.stdout).toBe('');
  });

  it('before the command is an unknown option too, not an unknown command', async () => {
    const run = await cli('--force', 'validate');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^未知选项：--force\nUnknown option: --force/);
  });
});

describe('option values', () => {
  it('a string option without its value is refused, not given the next option as value', async () => {
    const run = await cli('digest', 'x.xlsx', '--out', '--as-of', '2026-07-01');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^选项 --out 缺少取值（--out DIR）\nOption --out needs a value/);
  });

  it('a flag given a value is refused', async () => {
    const run = await cli('validate', 'x.xlsx', '--json=yes');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Option --json takes no value: --json=yes');
  });

  it('a required option missing is named', async () => {
    const run = await cli('digest', 'x.xlsx', '--as-of', '2026-07-01');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^缺少选项 --out DIR\n--out is missing/);
  });

  it('a second PATH is refused', async () => {
    const run = await cli('validate', 'a.xlsx', 'b.xlsx');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Unexpected arguments: b.xlsx');
  });
});

describe('help and version', () => {
  it('gongjian --help lists every command and exits 0, with nothing on stderr', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const run = await cli(...argv);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      for (const name of ['validate', 'stats', 'init', 'digest', 'report'])
        expect(run.stdout).toContain(`gongjian ${name} PATH`);
    }
  });

  it('gongjian COMMAND --help shows that command’s options only, and runs nothing', async () => {
    for (const argv of [
      ['validate', '--help'],
      ['validate', 'missing.xlsx', '-h'],
      ['help', 'validate'],
    ]) {
      const run = await cli(...argv);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(
        /^用法 \/ Usage: gongjian validate PATH \[--as-of YYYY-MM-DD\] \[--json\]\n/,
      );
      expect(run.stdout).toMatch(/\n {2}--as-of YYYY-MM-DD {2}统计日期/);
      expect(run.stdout).not.toContain('--force');
    }
  });

  it('each command’s help ends with every exit code it can end with', async () => {
    for (const name of Object.keys(COMMANDS)) {
      const help = (await cli(name, '--help')).stdout;
      const codes = help.slice(help.indexOf('退出码 / exit codes: '));
      expect(codes, name).toMatch(/^退出码 \/ exit codes: 0 /);
      expect(codes, name).toContain(' · 2 ');
      expect(codes, name).toContain(' · 3 内部错误');
      // Only validate ends with 1 (rows rejected): no other help promises it.
      expect(codes.includes(' · 1 '), name).toBe(name === 'validate');
    }
  });

  it('the options in the help are the options accepted', async () => {
    const help = (await cli('report', '--help')).stdout;
    const listed = [...help.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]);
    expect(listed).toEqual(['--year', '--as-of', '--out']);
  });

  it('no command at all is a usage error (exit 2) with the overview on stderr', async () => {
    const run = await cli();
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^缺少命令\nCOMMAND is missing\n\n用法 \/ Usage:\n/);
  });

  it('through the binary: --help, validate --help and --version exit 0', () => {
    const help = gongjian(['--help']);
    expect([help.code, help.stderr]).toEqual([0, '']);
    expect(help.stdout).toContain('gongjian COMMAND --help');
    const validate = gongjian(['validate', '--help']);
    expect([validate.code, validate.stderr]).toEqual([0, '']);
    const run = gongjian(['--version']);
    expect([run.code, run.stdout, run.stderr]).toEqual([0, `gongjian ${version}\n`, '']);
  });

  it('through the binary: validate --force exits 2', () => {
    const run = gongjian(['validate', 'plan.xlsx', '--force']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Unknown option: --force');
  });
});
