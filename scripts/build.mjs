// Bundles the Node entry points (CLI, npm start, benchmark) with shared/ into functions/dist.
// Dependencies stay external: they are resolved from node_modules at run time.
import { build } from 'esbuild';

const entryPoints = {
  cli: 'functions/src/cli/main.ts',
  start: 'functions/src/local/start.ts',
  bench: 'functions/src/bench/main.ts',
};

await build({
  entryPoints,
  outdir: 'functions/dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // The CLI imports each command when it runs (cli/run.ts): its code, and the packages only it
  // uses, load for that command alone — shared modules go to chunks/.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  logLevel: 'warning',
});
