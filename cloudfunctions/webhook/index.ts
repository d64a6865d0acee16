import { AppError } from '@xiaoer/shared/domain/errors';

/**
 * The `webhook` function will take HMAC-signed order events (`POST /webhook/orders/:merchantId`),
 * specified with the reports issue. Until then it accepts nothing and says so; the local host
 * does not mount a route for it.
 */
export function handleWebhook(): never {
  throw new AppError('NOT_FOUND.ROUTE', '订单回调还没开通');
}
