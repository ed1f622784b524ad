/**
 * Sends a large body the way an attacker would — as fast as the server takes it — and notes how
 * much had been sent when the answer came: a server that refuses before reading answers after a
 * socket buffer's worth, not the body.
 */
import { request as httpRequest } from 'node:http';

export interface LargeAnswer {
  status: number;
  contentType: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  /** Bytes written when the answer's headers arrived, or when the server cut the connection. */
  bytesSent: number;
  /** The server closed the connection before its answer could be read (status 0 then). */
  cut: boolean;
}

/** POSTs `totalBytes` of spaces; `chunked` leaves the length undeclared (Transfer-Encoding: chunked). */
export function postLarge(
  url: string,
  headers: Record<string, string>,
  totalBytes: number,
  options: { chunked?: boolean } = {},
): Promise<LargeAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    let bytesSent = 0;
    let answered = false;
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...headers,
          ...(options.chunked ? {} : { 'content-length': String(totalBytes) }),
        },
      },
      (res) => {
        answered = true;
        const sentWhenAnswered = bytesSent;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          req.destroy();
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
            bytesSent: sentWhenAnswered,
            cut: false,
          });
        });
      },
    );
    // The server closes the connection after answering; a reset while we were still sending is
    // expected, and may even come before the answer could be read (a refusal all the same).
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') {
        answered = true;
        resolve({ status: 0, contentType: '', body: '', headers: {}, bytesSent, cut: true });
      } else reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, ' ');
    const pump = () => {
      while (!answered && bytesSent < totalBytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, totalBytes - bytesSent));
        bytesSent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}
