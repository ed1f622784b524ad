/**
 * The Firebase Storage emulator of firebase-tools (npm) as a child process, started without
 * `firebase emulators:start`: that command first starts the emulator's rules runtime, a Java jar it
 * downloads on first use (cloud-storage-rules-runtime), which machines without the internet cannot
 * fetch. Our server only ever reaches Storage through firebase-admin, whose requests the emulator
 * serves as the administrator (`Authorization: Bearer owner` on the GCS JSON API) without
 * evaluating rules, so the rules runtime is not started: a client SDK request is refused ("no
 * loaded ruleset"), as storage.rules refuses every client in production.
 *
 * Usage: node stack/storageEmulator.mjs <projectId>. Listens on 127.0.0.1 on a free port, prints
 * one line `{"port": N}` when it answers, and exits when its parent closes its stdin (so it never
 * outlives a killed test run). The blobs go to the TMPDIR its parent gives it.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { StorageEmulator } = require('firebase-tools/lib/emulator/storage/index.js');
const { createApp } = require('firebase-tools/lib/emulator/storage/server.js');
const { EmulatorRegistry } = require('firebase-tools/lib/emulator/registry.js');

const projectId = process.argv[2];
if (!projectId) {
  process.stderr.write('usage: node stack/storageEmulator.mjs <projectId>\n');
  process.exit(2);
}
// An empty list of resource rules: no ruleset is loaded, and nothing is downloaded.
const emulator = new StorageEmulator({
  projectId,
  host: '127.0.0.1',
  port: 0,
  rules: [],
  auto_download: false,
});
const app = await createApp(projectId, emulator);
const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  // The emulator names its own address in the metadata it returns (media links): it reads it
  // from the registry, where `emulators:start` would have put it.
  emulator.args.port = port;
  EmulatorRegistry.set(emulator.getName(), emulator);
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
const stop = () => {
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
