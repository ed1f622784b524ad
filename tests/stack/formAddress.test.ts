/**
 * The form's address outlives a restart (stack/stack.ts): links already emailed name it. The port
 * of the first start is kept in the workbook's data folder and listened on again; a taken port is
 * a clear error naming --form-port; an explicit port or GONGJIAN_FORM_URL wins; `--lan` links carry
 * the machine's first office-network IPv4.
 */
import { createServer, type Server } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormPortTakenError, lanAddress, NoLanError, startLocalStack } from '../../stack/stack';
import { tempFolder } from '../adapters/workbook/helpers';

const folder = tempFolder();
afterAll(() => folder.remove());

const portOf = (url: string) => Number(new URL(url).port);

function occupy(port: number): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('the form’s address', () => {
  it('is kept per workbook, refused clearly when taken, and set by --form-port or GONGJIAN_FORM_URL', async () => {
    const path = join(folder.dir, 'plan.xlsx');
    const first = await startLocalStack({ workbookPath: path });
    const url = first.formUrl;
    await first.stop();
    const again = await startLocalStack({ workbookPath: path });
    expect(again.formUrl).toBe(url);
    await again.stop();

    const blocker = await occupy(portOf(url));
    try {
      const refused = await startLocalStack({ workbookPath: path }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(FormPortTakenError);
      expect((refused as FormPortTakenError).messageZh).toContain('--form-port');
      expect((refused as FormPortTakenError).messageZh).toContain(String(portOf(url)));
    } finally {
      await new Promise((done) => blocker.close(done));
    }

    // Another port asked for is used, and kept for the next start.
    const spare = await occupy(0);
    const sparePort = (spare.address() as { port: number }).port;
    await new Promise((done) => spare.close(done));
    const moved = await startLocalStack({ workbookPath: path, formPort: sparePort });
    expect(portOf(moved.formUrl)).toBe(sparePort);
    await moved.stop();
    const kept = await startLocalStack({ workbookPath: path, formUrl: 'https://office.example/gongjian/' });
    expect(kept.formUrl).toBe('https://office.example/gongjian');
    // Listening on the kept port still, whatever the links say.
    const answer = await fetch(`http://127.0.0.1:${sparePort}/form.css`);
    expect(answer.status).toBe(200);
    await kept.stop();
  }, 120_000);

  it('on the office network, is this machine’s first IPv4 that is not loopback', () => {
    const ipv4 = (address: string, internal: boolean) =>
      ({ address, internal, family: 'IPv4', netmask: '', mac: '', cidr: null }) as NetworkInterfaceInfo;
    const ipv6 = { address: 'fe80::1', internal: false, family: 'IPv6' } as NetworkInterfaceInfo;
    expect(lanAddress({ lo: [ipv4('127.0.0.1', true)], eth0: [ipv6, ipv4('192.168.1.23', false)] })).toBe(
      '192.168.1.23',
    );
    expect(() => lanAddress({ lo: [ipv4('127.0.0.1', true)] })).toThrow(NoLanError);
  });
});
