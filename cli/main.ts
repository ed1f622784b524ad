/** Entry point of `gongjian`: the composition root of the CLI (real streams, real clock). */
import { streamProgress } from '../adapters/terminal/progress';
import { runCli } from './run';

// A reader that stops early (`gongjian digest … | head -1`) closes the pipe: that is the reader's
// choice, not an error of ours, so end quietly instead of dying on an unhandled EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  write: (chunk) =>
    new Promise((resolve) => {
      if (process.stdout.write(chunk)) resolve();
      else process.stdout.once('drain', () => resolve());
    }),
  err: (text) => process.stderr.write(`${text}\n`),
  now: () => new Date(),
  debug: Boolean(process.env.GONGJIAN_DEBUG),
  progress: streamProgress(process.stderr),
});
