import { z } from 'zod';
import { MerchantId } from '../../domain/ids';
import { CallbackToken, CallbackUrl, CorpId, EncodingAESKey, type Merchant } from '../../domain/merchant';
import type { Invite, Role } from '../../domain/member';
import { invalid } from '../../domain/errors';
import { parseInput } from '../../domain/validation';
import type { Deps } from '../../ports/deps';

export const CreateMerchantInput = z
  .object({
    id: MerchantId,
    name: z.string().trim().min(1, '店名不能为空').max(60),
    industry: z.string().max(30).default(''),
    timezone: z.string().default('Asia/Shanghai'),
    corpId: CorpId,
    token: CallbackToken,
    aesKey: EncodingAESKey,
    kfToken: CallbackToken.optional(),
    kfAesKey: EncodingAESKey.optional(),
    agentId: z.coerce.number().int().positive().optional(),
    appSecret: z.string().min(1).max(200).optional(),
    contactSecret: z.string().min(1).max(200).optional(),
    kfSecret: z.string().min(1).max(200).optional(),
    callbackUrl: CallbackUrl.optional(),
  })
  .refine((v) => Boolean(v.kfToken) === Boolean(v.kfAesKey), { message: '微信客服的 Token 和 EncodingAESKey 要一起填', path: ['kfToken'] });
export type CreateMerchantInput = z.input<typeof CreateMerchantInput>;

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;

/** Creates a shop with its WeCom connection (secrets sealed) and the first owner's invite code. */
export async function createMerchant(deps: Deps, raw: CreateMerchantInput): Promise<{ merchant: Merchant; ownerInvite: Invite }> {
  const input = parseInput(CreateMerchantInput, raw);
  if (!isValidTimezone(input.timezone)) throw invalid(`时区 ${input.timezone} 不认识`);
  const now = deps.clock.now();
  const s = deps.secrets;
  const merchant: Merchant = {
    id: input.id,
    name: input.name,
    industry: input.industry,
    timezone: input.timezone,
    aiPersona: '',
    wecom: {
      corpId: input.corpId,
      agentId: input.agentId,
      secrets: {
        app: input.appSecret ? s.seal(input.appSecret) : undefined,
        contact: input.contactSecret ? s.seal(input.contactSecret) : undefined,
        kf: input.kfSecret ? s.seal(input.kfSecret) : undefined,
      },
      callback: { token: s.seal(input.token), aesKey: s.seal(input.aesKey) },
      kfCallback: input.kfToken && input.kfAesKey ? { token: s.seal(input.kfToken), aesKey: s.seal(input.kfAesKey) } : undefined,
      ...(input.callbackUrl ? { callbackUrl: input.callbackUrl } : {}),
    },
    createdAt: now,
    updatedAt: now,
  };
  await deps.storage.merchants.create(merchant);
  const ownerInvite = await createInvite(deps, merchant.id, 'owner');
  return { merchant, ownerInvite };
}

export async function createInvite(deps: Deps, merchantId: string, role: Role): Promise<Invite> {
  const now = deps.clock.now();
  const invite: Invite = { code: deps.ids.inviteCode(), merchantId, role, createdAt: now, expiresAt: now + INVITE_TTL_MS };
  await deps.storage.invites.create(invite);
  return invite;
}
