import { callApiEnveloped, type Caller } from '@xiaoer/shared/api/dispatch';
import type { Runtime } from '../server/composition';
import { parseKbContent } from '../server/kb/formats';
import { parseOrderContent } from '../server/orders/files';
import { writeXlsx } from '../server/reports/xlsx';

/**
 * The `api` function: the owner app's one entry. The transport proves the caller (a session
 * locally, getWXContext().OPENID on CloudBase) and this adapter runs the use case.
 */
export function handleApi(rt: Runtime, caller: Caller, body: unknown) {
  return callApiEnveloped(rt.deps, caller, body, (err) => rt.logger.error({ err }, 'api action failed'), rt.inbox, parseKbContent, parseOrderContent, writeXlsx, rt.drafter);
}
