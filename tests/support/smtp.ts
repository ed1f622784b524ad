/**
 * smtp-server on 127.0.0.1 as the receiving mail server of a test: it keeps every message that
 * arrived (raw, parsed by mailparser, and its envelope), and can answer 421 or 550, or drop the
 * connection mid-message, on purpose.
 */
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export type Fault = '421' | '550' | 'drop';

export interface Arrival {
  raw: Buffer;
  parsed: ParsedMail;
  envelope: { from: string; to: string[] };
}

export interface TestSmtpServer {
  readonly port: number;
  readonly arrivals: Arrival[];
  /** Consumed one per message, in order: the next DATA gets the first fault. */
  readonly faults: Fault[];
  /** Messages that reached DATA (completed or not). */
  readonly dataCommands: number;
  withMessageId(messageId: string): Arrival[];
  close(): Promise<void>;
}

/** Starts the server; with `auth` it insists on those credentials. */
export async function startSmtpServer(auth?: { user: string; pass: string }): Promise<TestSmtpServer> {
  const arrivals: Arrival[] = [];
  const faults: Fault[] = [];
  let dataCommands = 0;
  const server: SMTPServer = new SMTPServer({
    logger: false,
    // Plain SMTP on 127.0.0.1; with credentials the server insists on AUTH (over the plain
    // connection, which only a test may allow).
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !auth,
    allowInsecureAuth: true,
    onAuth(credentials, _session, callback) {
      if (auth && credentials.username === auth.user && credentials.password === auth.pass) {
        return callback(null, { user: credentials.username });
      }
      return callback(Object.assign(new Error('Invalid credentials'), { responseCode: 535 }));
    },
    onData(stream, session: SMTPServerSession, callback) {
      dataCommands++;
      const fault = faults.shift();
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (fault === 'drop') {
          // The connection dies in the middle of the message, before any reply to it.
          for (const connection of server.connections) {
            if ((connection as { id?: string }).id === session.id) {
              (connection as { _socket: { destroy(): void } })._socket.destroy();
            }
          }
        }
      });
      stream.on('end', () => {
        if (fault === '421' || fault === '550') {
          const message = fault === '421' ? 'Try again later' : 'Mailbox unavailable';
          return callback(Object.assign(new Error(message), { responseCode: Number(fault) }));
        }
        if (fault === 'drop') return;
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            arrivals.push({
              raw,
              parsed,
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              },
            });
            callback(null, 'OK: queued');
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  server.on('error', () => {}); // dropped sockets are the point of some tests
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    arrivals,
    faults,
    get dataCommands() {
      return dataCommands;
    },
    withMessageId: (messageId) => arrivals.filter((arrival) => arrival.parsed.messageId === messageId),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
