/**
 * The functions' runtime as the tests build it: the production composition root
 * (`buildRuntime(parseConfig(env))`) pointed at this file's Firestore emulator in development
 * mode, so a test exercises the same wiring a deployment does and states only what differs —
 * extra settings, a pinned clock, a log, the fake Sheets API's address and token.
 */
import { OAuth2Client } from 'google-auth-library';
import { parseConfig } from '../../functions/src/config';
import type { Log } from '../../functions/src/logs';
import { buildRuntime, type Runtime, type RuntimeOverrides } from '../../functions/src/runtime';

/** Where the emulator for this test file listens (a `useFirestoreEmulator` handle). */
export interface EmulatorAddress {
  readonly projectId: string;
  readonly host: string;
}

/** What a test says about its runtime; the rest of buildRuntime's overrides (a pinned clock, …) too. */
export interface EmulatorRuntimeOptions extends Omit<RuntimeOverrides, 'sheetsAuth'> {
  /** Settings on top of the development defaults (they win, GONGJIAN_ENV included). */
  env?: Record<string, string>;
  /** The runtime's log; silent by default. */
  log?: Log;
  /** The fake Sheets API to talk to, with the access token it accepts. */
  sheets?: { rootUrl: string; token: string };
}

/** A runtime on the emulator; the caller closes it (`runtime.close()`). */
export function testRuntime(emulator: EmulatorAddress, options: EmulatorRuntimeOptions = {}): Runtime {
  const { env = {}, log = () => {}, sheets, ...overrides } = options;
  let sheetsAuth: OAuth2Client | undefined;
  if (sheets) {
    sheetsAuth = new OAuth2Client();
    sheetsAuth.setCredentials({ access_token: sheets.token });
  }
  return buildRuntime(
    parseConfig({
      GONGJIAN_ENV: 'development',
      GONGJIAN_PROJECT: emulator.projectId,
      FIRESTORE_EMULATOR_HOST: emulator.host,
      ...(sheets && { GONGJIAN_SHEETS_ROOT_URL: sheets.rootUrl }),
      ...env,
    }),
    log,
    { ...(sheetsAuth && { sheetsAuth }), ...overrides },
  );
}
