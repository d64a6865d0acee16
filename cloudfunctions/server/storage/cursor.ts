/** Keyset cursors shared by the adapters: opaque to callers, `<sortValue>|<id>` inside. */
export function encodeCursor(sort: number, id: string): string {
  return Buffer.from(`${sort}|${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): { sort: number; id: string } | null {
  if (!cursor) return null;
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const i = raw.indexOf('|');
  const sort = Number(raw.slice(0, i));
  if (i < 0 || !Number.isFinite(sort)) return null;
  return { sort, id: raw.slice(i + 1) };
}
