// Bundles the Node entry points (CLI, npm start, benchmark) with shared/ into dist.
// Dependencies stay external: they are resolved from node_modules at run time.
import { build } from 'esbuild';

const entryPoints = {
  cli: 'cli/main.ts',
  start: 'stack/start.ts',
  bench: 'bench/main.ts',
};

await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  // 20.10, not 20: esbuild drops import attributes for a target without them, and Node refuses
  // the JSON calendar (chinese-days) imported without `with { type: 'json' }`.
  target: 'node20.10',
  packages: 'external',
  // The CLI imports each command when it runs (cli/run.ts): its code, and the packages only it
  // uses, load for that command alone — shared modules go to chunks/.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  logLevel: 'warning',
});
