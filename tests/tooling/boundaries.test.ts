/**
 * The dependency rules are enforced by the tools, not by review: shared/ is type-checked without
 * Node's types (shared/tsconfig.json), and Biome's noRestrictedImports (biome.json, one override
 * per program) refuses imports across the programs' lines, and its noImportCycles any cycle. These
 * tests plant violations and expect both tools to refuse them, so a loosened config fails
 * `npm test` too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const biome = join(root, 'node_modules/@biomejs/biome/bin/biome');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

/**
 * Biome's verdict on `source` placed at `folder` in the repository (its overrides match paths, and
 * it reports no lint diagnostics for standard input, so the probe is a real file, removed after).
 */
function lintAt(folder: string, source: string): string {
  const file = join(root, folder, `boundary-probe-${process.pid}.ts`);
  writeFileSync(file, source);
  try {
    const run = spawnSync(process.execPath, [biome, 'lint', '--max-diagnostics=50', file], {
      cwd: root,
      encoding: 'utf8',
    });
    return run.stdout + run.stderr;
  } finally {
    rmSync(file, { force: true });
  }
}

describe('the dependency direction', () => {
  it.each([
    ['shared', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"],
    ['shared', "import { parseConfig } from '../functions/src/config';\nexport const p = parseConfig;\n"],
    ['shared/emails', "import { runtime } from '../../functions/src/runtime';\nexport const r = runtime;\n"],
    ['sheets-addon/src', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"],
    [
      'adapters/workbook',
      "import { parseConfig } from '../../functions/src/config';\nexport const p = parseConfig;\n",
    ],
    ['functions/src', "import { main } from '../../cli/main';\nexport const m = main;\n"],
    ['cli', "import { getFirestore } from 'firebase-admin/firestore';\nexport const g = getFirestore;\n"],
    ['cli', "import { enqueueMail } from '../functions/src/mail/queue';\nexport const e = enqueueMail;\n"],
    ['cli', "import { startLocalStack } from '../stack/stack';\nexport const s = startLocalStack;\n"],
    ['stack', "import { reportError } from '../cli/run';\nexport const r = reportError;\n"],
  ])('Biome refuses a file in %s importing across the line', (folder, source) => {
    expect(lintAt(folder, source)).toContain('lint/style/noRestrictedImports');
  });

  it('Biome accepts what each program may import', () => {
    const accepted = [
      [
        'shared',
        "import * as z from 'zod';\nimport type { PlanModel } from './model';\nexport const a = z;\nexport type P = PlanModel;\n",
      ],
      ['shared/emails', "import { STATUS_LABELS } from '../i18n';\nexport const s = STATUS_LABELS;\n"],
      [
        'cli',
        "import { renderTable } from '../adapters/terminal/table';\nimport { mailContent } from '../functions/src/mail/message';\nexport const r = [renderTable, mailContent];\n",
      ],
      ['stack', "import { runtime } from '../functions/src/runtime';\nexport const r = runtime;\n"],
    ] as const;
    for (const [folder, source] of accepted)
      expect(lintAt(folder, source)).not.toContain('noRestrictedImports');
  });

  it('Biome refuses an import cycle, also one closed by a type-only import', () => {
    const name = (side: string) => `cycle-probe-${side}-${process.pid}`;
    const a = join(root, 'functions/src', `${name('a')}.ts`);
    const b = join(root, 'functions/src', `${name('b')}.ts`);
    writeFileSync(
      a,
      `import { b } from './${name('b')}';\nexport interface A {\n  n: number;\n}\nexport const a = b;\n`,
    );
    writeFileSync(b, `import type { A } from './${name('a')}';\nexport const b: A = { n: 1 };\n`);
    try {
      const run = spawnSync(process.execPath, [biome, 'lint', '--max-diagnostics=50', a, b], {
        cwd: root,
        encoding: 'utf8',
      });
      expect(run.stdout + run.stderr).toContain('lint/suspicious/noImportCycles');
      expect(run.status).not.toBe(0);
    } finally {
      rmSync(a, { force: true });
      rmSync(b, { force: true });
    }
  });

  it.each(['functions/src', 'stack'])(
    'Biome refuses a console call in %s: its logs are the named events of functions/src/logs.ts',
    (folder) => {
      expect(lintAt(folder, "export function f(): void {\n  console.log('x');\n}\n")).toContain(
        'lint/suspicious/noConsole',
      );
    },
  );

  it("shared/ is type-checked without Node's types: a Node import does not compile", () => {
    const dir = mkdtempSync(join(tmpdir(), 'gongjian-purity-'));
    try {
      writeFileSync(
        join(dir, 'planted.ts'),
        "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
      );
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ extends: join(root, 'shared/tsconfig.json'), include: [join(dir, 'planted.ts')] }),
      );
      const run = spawnSync(process.execPath, [tsc, '--noEmit', '-p', join(dir, 'tsconfig.json')], {
        encoding: 'utf8',
      });
      expect(run.status).not.toBe(0);
      expect(run.stdout).toContain("Cannot find module 'node:fs'");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
