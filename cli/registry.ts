/**
 * Every `gongjian` command, in the order `gongjian --help` lists them: the one table run.ts
 * dispatches over. A new command is its module under registry/ (cli/command.ts says what it
 * declares), its work under commands/, and one line here.
 */
import type { CliCommand } from './command';
import { confirmDeletions } from './registry/confirmDeletions';
import { digest } from './registry/digest';
import { district } from './registry/district';
import { history } from './registry/history';
import { init } from './registry/init';
import { ledger } from './registry/ledger';
import { report } from './registry/report';
import { request } from './registry/request';
import { restore } from './registry/restore';
import { rollup } from './registry/rollup';
import { stats } from './registry/stats';
import { validate } from './registry/validate';

export const COMMANDS: Readonly<Record<string, CliCommand>> = {
  validate,
  stats,
  init,
  digest,
  report,
  ledger,
  rollup,
  request,
  'confirm-deletions': confirmDeletions,
  history,
  restore,
  district,
};
