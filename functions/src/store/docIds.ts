/**
 * Record IDs as Firestore document IDs. Sheet IDs are free text ("4.1", "党建-01", even "a/b"), but a
 * document ID may not contain "/", be "." or "..", or match __.*__. The mapping escapes only what
 * it must, so IDs stay readable in the console, and it is injective: "%" is always escaped, so
 * every escape sequence it produces could only have come from one ID.
 */

/** The Firestore document ID for a record ID. */
export function docIdOf(id: string): string {
  const escaped = id.replace(/%/g, '%25').replace(/\//g, '%2F');
  if (escaped === '.' || escaped === '..') return escaped.replace(/\./g, '%2E');
  if (/^__.*__$/.test(escaped)) return `%5F${escaped.slice(1)}`;
  return escaped;
}
