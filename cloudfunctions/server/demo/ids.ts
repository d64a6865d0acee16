import type { Day } from '@xiaoer/shared/domain/ids';

/**
 * Every row and counter event the seed writes has an id derived from the data alone, so a run
 * that crashed half-way is finished later without duplicates.
 */
export const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The n-th customer (1-based). */
export const customerExt = (n: number) => `wmDEMO${pad(n, 4)}`;
export const conversationId = (ext: string) => `demo-conv-${ext}`;
/** The k-th message of a customer's session on a day: one session per customer per day. */
export const messageId = (ext: string, day: Day, k: number) => `demo-msg-${ext}-${day}-${pad(k, 2)}`;
/** The n-th order placed on a day. */
export const orderId = (day: Day, n: number) => `demo-o-${day.replaceAll('-', '')}-${pad(n, 3)}`;
