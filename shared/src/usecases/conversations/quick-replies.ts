import { AppError } from '../../domain/errors';
import type { Deps } from '../../ports/deps';

/** The shop's own canned replies (快捷回复): the owner edits them, anyone in the shop taps one into the reply box. */
export const QUICK_REPLIES_MAX = 20;
export const QUICK_REPLY_MAX_CHARS = 300;
const NS = 'conversation-settings';
const KEY = 'quick-replies';

export async function listQuickReplies(deps: Pick<Deps, 'storage'>, merchantId: string): Promise<string[]> {
  const v = (await deps.storage.kv.get<unknown>(merchantId, NS, KEY))?.value;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Replaces the list: blanks and repeats dropped, order kept. */
export async function saveQuickReplies(deps: Pick<Deps, 'storage' | 'clock'>, merchantId: string, items: string[]): Promise<string[]> {
  const clean = [...new Set(items.map((t) => t.trim()).filter(Boolean))];
  if (clean.length > QUICK_REPLIES_MAX) throw new AppError('INPUT.INVALID', `快捷回复最多 ${QUICK_REPLIES_MAX} 条`, 400);
  if (clean.some((t) => t.length > QUICK_REPLY_MAX_CHARS)) throw new AppError('INPUT.INVALID', `每条快捷回复最多 ${QUICK_REPLY_MAX_CHARS} 个字`, 400);
  for (let attempt = 0; attempt < 3; attempt++) {
    const cur = await deps.storage.kv.get(merchantId, NS, KEY);
    if (await deps.storage.kv.set(merchantId, NS, KEY, clean, cur?.version ?? null, deps.clock.now())) return clean;
  }
  throw new AppError('CONFLICT.BUSY', '刚才有人同时在改快捷回复，请再保存一次', 409);
}
