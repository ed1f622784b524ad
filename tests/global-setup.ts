/** Builds the bundles once before any suite, so tests always run the current source's binary. */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  // .ci/run runs the suite once per Node major it supports and says which; a PATH that found
  // another node than the one meant would otherwise pass unnoticed for the wrong runtime.
  const expected = process.env.GONGJIAN_EXPECT_NODE;
  if (expected && process.versions.node.split('.')[0] !== expected) {
    throw new Error(`Expected to run on Node ${expected}, but this is Node ${process.versions.node}`);
  }
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
