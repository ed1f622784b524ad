/** Escaping for markup (the emails' HTML, the charts' SVG): the one rule, so no sheet text becomes a tag. Pure. */

const MARKUP_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML or XML element content and quoted attributes: & < > " '. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => MARKUP_ESCAPES[c] as string);
}
