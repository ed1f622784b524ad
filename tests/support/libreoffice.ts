/**
 * Real LibreOffice in tests: a headless `soffice` with a profile of its own, driven over UNO by
 * Debian's python3-uno. Missing programs fail the test with the install hint; they never skip it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

const INSTALL_HINT =
  'LibreOffice and its Python bridge are needed: apt-get install libreoffice-calc-nogui python3-uno (.ci/run installs them)';

/** The Python that has Debian's uno module (not a pyenv one earlier on PATH). */
const SYSTEM_PYTHON = '/usr/bin/python3';

/** Throws the install hint unless soffice and python3-uno are there. */
export function requireLibreOffice(): void {
  const soffice = spawnSync('soffice', ['--version'], { encoding: 'utf8' });
  const uno = spawnSync(SYSTEM_PYTHON, ['-c', 'import uno'], { encoding: 'utf8' });
  if (soffice.status !== 0 || uno.status !== 0) throw new Error(INSTALL_HINT);
}

/**
 * Opens a workbook in LibreOffice Calc and saves it as .xlsx at `target`, as a person re-saving it
 * would; `workDir` holds LibreOffice's profile and its output.
 */
export function resaveInLibreOffice(source: string, target: string, workDir: string): void {
  requireLibreOffice();
  const outDir = mkdtempSync(join(workDir, 'lo-out-'));
  const profile = join(workDir, 'lo-profile');
  const run = spawnSync(
    'soffice',
    [
      '--headless',
      '--norestore',
      `-env:UserInstallation=file://${profile}`,
      '--convert-to',
      'xlsx:Calc MS Excel 2007 XML',
      '--outdir',
      outDir,
      source,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (run.status !== 0) throw new Error(`LibreOffice failed: ${run.stderr}`);
  copyFileSync(join(outDir, basename(source)), target);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A workbook held open in LibreOffice until close() (which closes it as a person would). */
export interface HeldOpen {
  close(): Promise<void>;
}

/** Opens the workbook in a real LibreOffice and resolves once its lock file exists. */
export async function holdOpenInLibreOffice(path: string): Promise<HeldOpen> {
  requireLibreOffice();
  const profile = mkdtempSync(join(tmpdir(), 'gongjian-lo-'));
  const port = await freePort();
  const office = spawn(
    'soffice',
    [
      '--headless',
      '--invisible',
      '--norestore',
      '--nologo',
      `-env:UserInstallation=file://${profile}`,
      `--accept=socket,host=127.0.0.1,port=${port};urp;`,
    ],
    // Its own process group: `soffice` is a wrapper whose soffice.bin can outlive it, and the
    // group is how all of LibreOffice is ended in the end, whatever it left running.
    { stdio: 'ignore', detached: true },
  );
  const holder = spawn(
    SYSTEM_PYTHON,
    [join(import.meta.dirname, 'libreoffice_hold.py'), String(port), path],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: holder.stdout });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      holder.once('exit', (code) => reject(new Error(`LibreOffice holder ended (${code})`)));
    });
  const ended = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killGroup = () => {
    try {
      if (office.pid !== undefined) process.kill(-office.pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  };
  const cleanUp = async () => {
    holder.kill();
    const timer = setTimeout(killGroup, 10_000);
    await ended(office);
    clearTimeout(timer);
    killGroup();
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    if ((await next()) !== 'opened') throw new Error('LibreOffice did not open the workbook');
    const lockFile = join(dirname(path), `.~lock.${basename(path)}#`);
    if (!existsSync(lockFile)) throw new Error(`LibreOffice wrote no lock file ${lockFile}`);
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return {
    close: async () => {
      holder.stdin.write('\n');
      const said = await next().catch(() => 'ended');
      await cleanUp();
      if (said !== 'closed') throw new Error('LibreOffice did not close the workbook');
    },
  };
}
