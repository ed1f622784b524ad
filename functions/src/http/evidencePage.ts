/**
 * The page a deployed 佐证 cell's link opens (SPEC §11): an activity's photos on a phone, served by
 * the `form` function beside the update form, for whoever holds the link (requests/cloudPhotoStore.ts
 * argues the capability). `GET <base>/e/<planId>/<activityId>/<mac>` is the page,
 * `…/<mac>/<n>.jpg` each photo, streamed from Cloud Storage as it arrives (never held whole).
 *
 * `GET <base>/l/<planId>/<jobId>/<mac>` downloads a ledger built through the API (ledgers/job.ts),
 * streamed from Cloud Storage, under the same key and the same 404.
 *
 * A wrong or revoked mac, an unknown plan or activity all answer the same 404 page: the link says
 * nothing about what exists. The page has no script and takes nothing but its own images (CSP);
 * the only text from outside is the record number, escaped.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { escapeHtml } from '../../../shared/markup';
import { type Log, logs } from '../logs';
import { type CloudPhotoStore, EVIDENCE_PATH, LEDGER_PATH } from '../requests/cloudPhotoStore';

type Handler<R extends IncomingMessage> = (req: R, res: ServerResponse) => Promise<void>;

const PAGE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
  'X-Frame-Options': 'DENY',
};

const NOT_FOUND_PAGE = page(
  '链接无效',
  '<p>此佐证链接无效或已失效，请向社区工作人员索取新的链接。</p><p lang="en">This evidence link is not valid.</p>',
);

/** The form's handler, with the evidence pages answered before it. */
export function withEvidencePages<R extends IncomingMessage>(
  store: CloudPhotoStore,
  log: Log,
  next: Handler<R>,
): Handler<R> {
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://form.invalid').pathname.replace(/\/+$/, '');
    const match = EVIDENCE_PATH.exec(path);
    const ledger = match ? null : LEDGER_PATH.exec(path);
    if (!match && !ledger) return next(req, res);
    try {
      if (match) await answer(store, req, res, match);
      else if (ledger) await download(store, req, res, ledger);
    } catch (error) {
      log(logs.formFailed(error));
      if (!res.headersSent)
        send(res, 500, 'text/plain; charset=utf-8', '服务暂时出错，请稍后再试 / Server error');
      else res.destroy();
    }
  };
}

async function answer(
  store: CloudPhotoStore,
  req: IncomingMessage,
  res: ServerResponse,
  [, planPart, activityPart, mac, photo]: RegExpExecArray,
): Promise<void> {
  const notFound = () => send(res, 404, 'text/html; charset=utf-8', NOT_FOUND_PAGE);
  if (req.method !== 'GET' && req.method !== 'HEAD') return notFound();
  const planId = decoded(planPart);
  const activityId = decoded(activityPart);
  if (planId === undefined || activityId === undefined || mac === undefined) return notFound();
  if (!(await store.opens(planId, activityId, mac))) return notFound();
  if (photo === undefined) {
    const numbers = await store.photoNumbers(planId, activityId);
    send(res, 200, 'text/html; charset=utf-8', photosPage(activityId, mac, numbers));
    return;
  }
  const stream = await store.photoStream(planId, activityId, Number.parseInt(photo, 10));
  if (!stream) return notFound();
  res.writeHead(200, {
    ...PAGE_HEADERS,
    'Content-Type': 'image/jpeg',
    // Whoever holds the link may keep the photo a while; no shared cache may.
    'Cache-Control': 'private, max-age=3600',
  });
  if (req.method === 'HEAD') {
    stream.destroy();
    res.end();
    return;
  }
  await pipeline(stream, res);
}

/** A ledger's .docx, streamed to whoever holds its link. */
async function download(
  store: CloudPhotoStore,
  req: IncomingMessage,
  res: ServerResponse,
  [, planPart, jobId, mac]: RegExpExecArray,
): Promise<void> {
  const notFound = () => send(res, 404, 'text/html; charset=utf-8', NOT_FOUND_PAGE);
  const planId = decoded(planPart);
  if (req.method !== 'GET' && req.method !== 'HEAD') return notFound();
  if (planId === undefined || jobId === undefined || mac === undefined) return notFound();
  if (!(await store.opensLedger(planId, jobId, mac))) return notFound();
  const file = await store.ledgerFile(planId, jobId);
  if (!file) return notFound();
  res.writeHead(200, {
    ...PAGE_HEADERS,
    'Content-Type': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'Content-Length': String(file.size),
    // An ASCII fallback and the Chinese name (RFC 6266); the name holds no text from outside.
    'Content-Disposition': `attachment; filename="ledger.docx"; filename*=UTF-8''${encodeURIComponent('活动台账.docx')}`,
    'Cache-Control': 'private, no-store',
  });
  if (req.method === 'HEAD') {
    file.stream.destroy();
    res.end();
    return;
  }
  await pipeline(file.stream, res);
}

function decoded(part: string | undefined): string | undefined {
  try {
    return part === undefined ? undefined : decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...PAGE_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

/** The photos of one activity, one under the other, each at the phone's width (and opens full size). */
function photosPage(activityId: string, mac: string, numbers: readonly number[]): string {
  const photos = numbers
    .map((n) => `<a href="${mac}/${n}.jpg"><img src="${mac}/${n}.jpg" alt="照片 ${n}" loading="lazy"></a>`)
    .join('\n');
  const body =
    numbers.length === 0
      ? '<p>这条记录还没有照片。</p>'
      : `<p>共 ${numbers.length} 张照片，点按可查看原图。</p>\n${photos}`;
  return page(
    `佐证照片 · ${escapeHtml(activityId)}`,
    `<p class="id">记录编号 ${escapeHtml(activityId)}</p>\n${body}`,
  );
}

/** A page's frame; `title` and `body` are markup already escaped by the caller. */
function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>
body{margin:0;padding:12px;font:16px/1.5 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;color:#222;background:#f6f6f6}
h1{font-size:20px;margin:4px 0 8px}.id{color:#555;margin:0 0 8px}
img{display:block;width:100%;height:auto;margin:0 0 12px;border-radius:4px;background:#ddd}
</style></head>
<body><h1>${title}</h1>
${body}
</body></html>
`;
}
