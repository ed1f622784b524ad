/**
 * A streaming scanner for the machine-written XML inside .xlsx files: it reports start tags (with
 * their raw attribute text, parsed only where a reader asks), end tags and decoded text, chunk by
 * chunk. It never holds more than one incomplete tag between chunks, and text is handed on as it
 * arrives, so a hostile file cannot make it buffer a huge node; the reader decides how much text
 * it keeps. No DTDs: a document type declaration is refused (no entity expansion, ever).
 */

export interface XmlHandler {
  /** A start tag (or an empty-element tag, `selfClosing`), by local name (prefix dropped). */
  open(name: string, attributes: string, selfClosing: boolean): void;
  close(name: string): void;
  /** Character data with entities decoded; one text node may arrive in several pieces. */
  text(text: string): void;
}

/** Markup the scanner cannot read; the caller reports the file as corrupt. */
export class XmlError extends Error {
  override readonly name = 'XmlError';
}

/** Longer than any tag a spreadsheet writer produces; a longer one is refused, not buffered. */
const MAX_MARKUP = 1 << 20;
const ENTITY = /&(?:#x([0-9a-fA-F]{1,6})|#(\d{1,7})|(lt|gt|amp|quot|apos));/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the five predefined entities and character references; anything else stays as is. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (whole, hex?: string, dec?: string, name?: string) => {
    if (name !== undefined) return NAMED[name] ?? whole;
    const code = hex !== undefined ? Number.parseInt(hex, 16) : Number(dec);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

const ATTRIBUTE = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** The attributes of a start tag, by name as written (prefixes kept: `r:id`). */
export function attributesOf(raw: string): Map<string, string> {
  const found = new Map<string, string>();
  if (raw === '') return found;
  for (const m of raw.matchAll(ATTRIBUTE)) found.set(m[1] as string, decodeEntities(m[2] ?? m[3] ?? ''));
  return found;
}

export class XmlScanner {
  private pending = '';

  constructor(private readonly handler: XmlHandler) {}

  /** Scans the next piece of the document. */
  write(chunk: string): void {
    const buffer = this.pending === '' ? chunk : this.pending + chunk;
    this.pending = '';
    const length = buffer.length;
    let at = 0;
    while (at < length) {
      const lt = buffer.indexOf('<', at);
      if (lt < 0) {
        this.textUpTo(buffer, at, length);
        return;
      }
      if (lt > at) this.handler.text(decodeEntities(buffer.slice(at, lt)));
      const next = this.markup(buffer, lt);
      if (next < 0) {
        if (length - lt > MAX_MARKUP) throw new XmlError('markup too long or malformed');
        this.pending = buffer.slice(lt);
        return;
      }
      at = next;
    }
  }

  /** The document has ended: anything left is an unfinished tag. */
  end(): void {
    if (this.pending.trim() !== '') throw new XmlError('document ends inside markup');
  }

  /** Text to the end of the buffer, keeping back a reference that may continue in the next chunk. */
  private textUpTo(buffer: string, from: number, to: number): void {
    const amp = buffer.lastIndexOf('&', to - 1);
    let end = to;
    if (amp >= from && buffer.indexOf(';', amp) < 0 && to - amp < 12) {
      end = amp;
      this.pending = buffer.slice(amp, to);
    }
    if (end > from) this.handler.text(decodeEntities(buffer.slice(from, end)));
  }

  /** Handles the markup at `lt`; returns where scanning goes on, or -1 when it is incomplete. */
  private markup(buffer: string, lt: number): number {
    const second = buffer.charCodeAt(lt + 1);
    if (Number.isNaN(second)) return -1;
    if (second === 0x3f /* ? */) {
      const end = buffer.indexOf('?>', lt + 2);
      return end < 0 ? -1 : end + 2;
    }
    if (second === 0x21 /* ! */) {
      if (buffer.startsWith('<!--', lt)) {
        const end = buffer.indexOf('-->', lt + 4);
        return end < 0 ? -1 : end + 3;
      }
      if (buffer.startsWith('<![CDATA[', lt)) {
        const end = buffer.indexOf(']]>', lt + 9);
        if (end < 0) return -1;
        this.handler.text(buffer.slice(lt + 9, end));
        return end + 3;
      }
      if (buffer.length - lt < 9) return -1;
      throw new XmlError('document type declarations are not accepted');
    }
    return this.tag(buffer, lt);
  }

  /**
   * A start or end tag at `lt`. Hand-written rather than one regular expression: this runs for
   * every cell of a sheet, and slicing only the name and the attribute text keeps it cheap.
   */
  private tag(buffer: string, lt: number): number {
    const closing = buffer.charCodeAt(lt + 1) === 0x2f; /* / */
    const nameStart = closing ? lt + 2 : lt + 1;
    let at = nameStart;
    let colon = -1;
    const length = buffer.length;
    for (; at < length; at++) {
      const code = buffer.charCodeAt(at);
      if (code === 0x3a /* : */) colon = at;
      else if (
        code === 0x20 ||
        code === 0x3e ||
        code === 0x2f ||
        code === 0x0a ||
        code === 0x0d ||
        code === 0x09
      )
        break;
    }
    if (at === length) return -1;
    const name = buffer.slice(colon < 0 ? nameStart : colon + 1, at);
    if (name === '') throw new XmlError('tag without a name');
    // The end of the tag: the first '>' outside a quoted attribute value.
    let quote = 0;
    let end = at;
    for (; end < length; end++) {
      const code = buffer.charCodeAt(end);
      if (quote !== 0) {
        if (code === quote) quote = 0;
      } else if (code === 0x22 || code === 0x27) quote = code;
      else if (code === 0x3e) break;
      else if (code === 0x3c) throw new XmlError('< inside a tag');
    }
    if (end === length) return -1;
    if (closing) this.handler.close(name);
    else {
      const selfClosing = buffer.charCodeAt(end - 1) === 0x2f;
      this.handler.open(name, buffer.slice(at, selfClosing ? end - 1 : end), selfClosing);
      if (selfClosing) this.handler.close(name);
    }
    return end + 1;
  }
}
