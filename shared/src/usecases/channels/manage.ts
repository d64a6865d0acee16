import { z } from 'zod';
import { Channel, CHANNEL_LIMITS, ChannelMembers, ChannelName, ChannelTags, ChannelWelcome } from '../../domain/channel';
import { AppError, invalid, notFound } from '../../domain/errors';
import { parseInput } from '../../domain/validation';
import type { Deps } from '../../ports/deps';
import { isTransient, WecomApiError, type WecomApi } from '../../ports/wecom';
import { requireMerchant } from '../shop/require-merchant';
import { CHANNEL_NS, listChannels, readChannel } from './store';

/**
 * Creating, changing and deleting channel QR codes (issue 15 §5). WeCom goes first every time and
 * ours is written only after it agreed, so a refusal leaves nothing half-stored: a code is either
 * at WeCom and ours, or (after a failure) ours is as it was.
 */

export interface ChannelEnv {
  deps: Deps;
  wecom: WecomApi;
}

export const ChannelInput = z.object({ name: ChannelName, members: ChannelMembers, tags: ChannelTags.default([]), welcome: ChannelWelcome.nullable().optional() });
export type ChannelInput = z.input<typeof ChannelInput>;
export const ChannelChange = ChannelInput.partial();
export type ChannelChange = z.input<typeof ChannelChange>;

const channelNotFound = () => notFound('channel');
const field = (path: string, message: string) => invalid(message, [{ path, message }]);

type Doing = '生成' | '修改' | '删除';

/** A WeCom failure in the owner's words: what to check, never an errcode (kept in details for support). */
export function channelWecomError(err: unknown, doing: Doing): AppError {
  const errcode = err instanceof WecomApiError ? err.errcode : undefined;
  if (err instanceof WecomApiError && err.isConfig)
    return new AppError(
      'WECOM.CONTACT_SETUP',
      `企业微信的客户联系还没接好，活码没能${doing}。请在「店铺设置」里检查企业微信的客户联系密钥，并在企业微信管理后台把客户联系开放给店小二。`,
      502,
      { errcode },
    );
  if (isTransient(err)) return new AppError('WECOM.UNAVAILABLE', `企业微信暂时没有响应，活码没能${doing}，请稍后再试。`, 503, errcode !== undefined ? { errcode } : undefined);
  if (err instanceof WecomApiError)
    return new AppError('WECOM.CONTACT_WAY_REFUSED', `企业微信没有同意${doing}这个活码。请确认接待的店员都在企业微信里、已经开通客户联系，再试一次。`, 502, { errcode });
  return err instanceof AppError ? err : new AppError('WECOM.UNAVAILABLE', `企业微信暂时没有响应，活码没能${doing}，请稍后再试。`, 503);
}

async function atWecom<T>(doing: Doing, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw channelWecomError(err, doing);
  }
}

/** The members must be the shop's own, with a WeCom account (the code routes customers to them). */
async function checkMembers(deps: Deps, merchantId: string, members: string[]): Promise<void> {
  const known = new Set((await deps.storage.members.list(merchantId)).map((m) => m.wecomUserId).filter(Boolean));
  if (members.some((u) => !known.has(u))) throw field('members', '接待的店员要从本店已绑定企业微信的店员里选');
}

function checkName(channels: Channel[], name: string, self?: string): void {
  if (channels.some((c) => c.name === name && c.state !== self)) throw field('name', `已经有叫「${name}」的活码了，换个名字吧`);
}

/** Ours, ≤ 30 characters, letters and digits only (no `qr`/`campaign` prefixes for sourceFromState to misread). */
function newState(deps: Deps, taken: Set<string>): string {
  for (let i = 0; i < 10; i++) {
    const raw = deps.ids.id('ch');
    const state = `ch${raw.slice(raw.indexOf('_') + 1).replace(/[^A-Za-z0-9]/g, '')}`.slice(0, CHANNEL_LIMITS.stateChars);
    if (state.length > 6 && !taken.has(state)) return state;
  }
  throw new AppError('CONFLICT.CHANNEL_STATE', '活码暂时没能生成，请再试一次', 409);
}

/** add_contact_way (a QR code, no verification) with a new state; stored once WeCom made it. */
export async function createChannel(env: ChannelEnv, merchantId: string, raw: ChannelInput): Promise<Channel> {
  const { deps, wecom } = env;
  const input = parseInput(ChannelInput, raw);
  await requireMerchant(deps, merchantId);
  await checkMembers(deps, merchantId, input.members);
  const channels = await listChannels(deps, merchantId);
  if (channels.length >= CHANNEL_LIMITS.perShop) throw new AppError('CONFLICT.TOO_MANY_CHANNELS', `一家店最多 ${CHANNEL_LIMITS.perShop} 个活码，先删掉不用的`, 409);
  checkName(channels, input.name);
  const state = newState(deps, new Set(channels.map((c) => c.state)));
  const type = input.members.length === 1 ? 1 : 2;
  const made = await atWecom('生成', () => wecom.addContactWay(merchantId, { type, scene: 2, remark: input.name, skip_verify: true, state, user: input.members }));
  const now = deps.clock.now();
  const channel: Channel = {
    merchantId,
    state,
    name: input.name,
    members: input.members,
    tags: input.tags,
    ...(input.welcome ? { welcome: input.welcome } : {}),
    type,
    configId: made.config_id,
    qrCode: made.qr_code ?? '',
    createdAt: now,
    updatedAt: now,
  };
  let stored = false;
  try {
    stored = Boolean(made.qr_code) && (await deps.storage.kv.set(merchantId, CHANNEL_NS, state, channel, null, now));
  } finally {
    // not ours after all (no picture, or the write failed): take the code back so none is left behind at WeCom
    if (!stored) await wecom.delContactWay(merchantId, { config_id: made.config_id }).catch(() => undefined);
  }
  if (!stored) throw new AppError('WECOM.CONTACT_WAY_REFUSED', '企业微信没有给出二维码，活码没能生成，请再试一次。', 502);
  return channel;
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Name, members, welcome and tags; the state (and so the printed code) never changes. WeCom is
 * told only when what it keeps changes (remark, members): welcome and tags are ours alone.
 */
export async function updateChannel(env: ChannelEnv, merchantId: string, state: string, raw: ChannelChange): Promise<Channel> {
  const { deps, wecom } = env;
  const change = parseInput(ChannelChange, raw);
  if (change.members) await checkMembers(deps, merchantId, change.members);
  for (let attempt = 0; attempt < 3; attempt++) {
    const cur = await readChannel(deps, merchantId, state);
    if (!cur) throw channelNotFound();
    const was = cur.channel;
    const { welcome: _w, ...rest } = was;
    const welcome = change.welcome === undefined ? was.welcome : change.welcome || undefined;
    const next: Channel = {
      ...rest,
      name: change.name ?? was.name,
      members: change.members ?? was.members,
      tags: change.tags ?? was.tags,
      ...(welcome ? { welcome } : {}),
      updatedAt: Math.max(was.updatedAt, deps.clock.now()),
    };
    if (next.name !== was.name) checkName(await listChannels(deps, merchantId), next.name, state);
    if (was.type === 1 && next.members.length !== 1)
      throw field('members', '这个活码创建时只接待一位店员，不能改成几位。想让几位店员轮流接待，请新建一个活码（已经印好的这个照常能用）');
    if (next.name !== was.name || !same(next.members, was.members)) {
      await atWecom('修改', () => wecom.updateContactWay(merchantId, { config_id: was.configId, remark: next.name, user: next.members, state: was.state }));
    }
    if (await deps.storage.kv.set(merchantId, CHANNEL_NS, state, next, cur.version, deps.clock.now())) return next;
  }
  throw new AppError('CONFLICT.CHANNEL_BUSY', '这个活码刚被改过，请刷新后再试', 409);
}

/** Whether WeCom still has the code: only a definite refusal of get_contact_way says it is gone. */
async function goneAtWecom(env: ChannelEnv, merchantId: string, configId: string): Promise<boolean> {
  try {
    await env.wecom.getContactWay(merchantId, { config_id: configId });
    return false;
  } catch (err) {
    return err instanceof WecomApiError && !err.isConfig && !err.retryable;
  }
}

/** del_contact_way, then ours; a code WeCom no longer has (deleted elsewhere) still removes ours. */
export async function removeChannel(env: ChannelEnv, merchantId: string, state: string): Promise<void> {
  const { deps, wecom } = env;
  const cur = await readChannel(deps, merchantId, state);
  if (!cur) throw channelNotFound();
  try {
    await wecom.delContactWay(merchantId, { config_id: cur.channel.configId });
  } catch (err) {
    const refused = err instanceof WecomApiError && !err.isConfig && !err.retryable;
    if (!(refused && (await goneAtWecom(env, merchantId, cur.channel.configId)))) throw channelWecomError(err, '删除');
  }
  await deps.storage.kv.delete(merchantId, CHANNEL_NS, state);
}
