import { AppError } from '../../domain/errors';
import type { Merchant } from '../../domain/merchant';
import type { Deps } from '../../ports/deps';

/** The shop, or the one 404 every caller (app, WeCom callback, CLI) answers for a shop that does not exist. */
export async function requireMerchant(deps: Pick<Deps, 'storage'>, merchantId: string): Promise<Merchant> {
  const merchant = await deps.storage.merchants.get(merchantId);
  if (!merchant) throw new AppError('NOT_FOUND.MERCHANT', '没有这家店', 404);
  return merchant;
}
