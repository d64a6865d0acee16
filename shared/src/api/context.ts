import type { ApiAction, ApiRequest, ApiResult } from '../contracts/api';
import { AppError } from '../domain/errors';
import type { Member } from '../domain/member';
import type { Deps } from '../ports/deps';
import type { KbFileParser } from '../ports/kb-files';
import type { XlsxWriter } from '../ports/spreadsheet';
import type { OrderTableParser } from '../usecases/orders/import';
import type { WecomContext } from '../usecases/channel-wecom/context';
import type { FollowupDrafter } from '../usecases/followups/draft';

export interface CallContext {
  deps: Deps;
  /** The WeCom channel, for actions that talk to customers (absent where there is none). */
  channel?: WecomContext;
  openid: string;
  /** The caller's membership in the request's merchant (for `join` actions: none yet). */
  member: Member;
  /** Reads knowledge-base files for `kb.import` (server side: needs the xlsx reader). */
  kbFiles?: KbFileParser;
  /** Reads order tables for `orders.import` (server side, like kbFiles). */
  orderFiles?: OrderTableParser;
  /** Writes report workbooks for `reports.export` (server side, like kbFiles). */
  xlsx?: XlsxWriter;
  /** Drafts follow-up texts with the model (`followups.draft`); absent without one. */
  drafter?: FollowupDrafter;
}

type Handler<A extends ApiAction> = (ctx: CallContext, req: Extract<ApiRequest, { action: A }>) => Promise<ApiResult<A>>;
export type Handlers = { [A in ApiAction]: Handler<A> };

export function channelOf(ctx: CallContext): WecomContext {
  if (!ctx.channel) throw new AppError('CONFIG.NO_CHANNEL', '企业微信通道没有配置好，暂时不能回复客户', 503);
  return ctx.channel;
}
