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
  // 20.10, not 20: esbuild drops import attributes for a target without them, and Node refuses
  // the JSON calendar (chinese-days) imported without `with { type: 'json' }`.
  target: 'node20.10',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
