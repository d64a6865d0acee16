import { z } from 'zod';
import { AnswerRules } from './answer-rules';
import { Instant, MerchantId } from './ids';
import { ReportSettings } from './report';
import { AlertSettings } from './alert';
import { MarketingSettings } from './marketing-settings';

/** WeCom's CorpIDs are `ww…`; corps created before 2019 still have `wx…` ids. */
export const CorpId = z.string().regex(/^(ww|wx)[0-9a-zA-Z]{6,30}$/, 'CorpID 格式不对（ww 或 wx 开头）');
/** An EncodingAESKey is 43 base64 characters (32 bytes without the trailing '='). */
export const EncodingAESKey = z.string().regex(/^[A-Za-z0-9+/]{43}$/, 'EncodingAESKey 应该是 43 位字母数字');
export const CallbackToken = z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'Token 只能是 1–32 位英文或数字');

/** A callback URL as typed into the WeCom console; whether WeCom can reach it is the setup doctor's question. */
export const CallbackUrl = z
  .string()
  .trim()
  .max(300)
  .url('回调地址要是完整的网址，比如 https://你的域名/wecom/callback/店铺编号')
  .refine((u) => /^https?:\/\//i.test(u), '回调地址要以 https:// 或 http:// 开头');

/** Kinds of WeCom API secret; each gets its own access token. */
export const SecretKind = z.enum(['app', 'contact', 'kf']);
export type SecretKind = z.infer<typeof SecretKind>;

/**
 * A secret as stored: ciphertext only. The plaintext exists in memory of the server
 * for the duration of a call and nowhere else.
 */
export const SealedSecret = z.object({ v: z.literal(1), iv: z.string(), tag: z.string(), ct: z.string() });
export type SealedSecret = z.infer<typeof SealedSecret>;

export const CallbackPair = z.object({ token: SealedSecret, aesKey: SealedSecret });
export type CallbackPair = z.infer<typeof CallbackPair>;

export const WecomConnection = z.object({
  corpId: CorpId,
  agentId: z.number().int().positive().optional(),
  secrets: z.object({ app: SealedSecret.optional(), contact: SealedSecret.optional(), kf: SealedSecret.optional() }),
  /** The default pair, used by every callback unless the kf pair matches instead. */
  callback: CallbackPair,
  kfCallback: CallbackPair.optional(),
  /**
   * The callback URL as entered in the WeCom console, when it is not this server's own
   * (PUBLIC_URL + /wecom/callback/<id>): a shop behind its own domain or proxy. The setup doctor checks it.
   */
  callbackUrl: CallbackUrl.optional(),
});
export type WecomConnection = z.infer<typeof WecomConnection>;

export const Weekday = z.number().int().min(1).max(7); // ISO: 1 = Monday
/** Opening hours in the merchant's time zone; `close` < `open` means the shift crosses midnight. */
export const BusinessHours = z.object({
  open: z.string().regex(/^\d{2}:\d{2}$/),
  close: z.string().regex(/^\d{2}:\d{2}$/),
  closedDays: z.array(Weekday).default([]),
});
export type BusinessHours = z.infer<typeof BusinessHours>;

export const Merchant = z.object({
  id: MerchantId,
  name: z.string().min(1).max(60),
  industry: z.string().max(30).default(''),
  timezone: z.string().default('Asia/Shanghai'),
  businessHours: BusinessHours.optional(),
  aiPersona: z.string().max(500).default(''),
  /** Optional for merchants stored before the rules existed: read through `rulesOf`. */
  answerRules: AnswerRules.optional(),
  /** 推送设置 of the reports; absent for merchants stored before it existed: read through `reportSettingsOf`. */
  reports: ReportSettings.optional(),
  /** 提醒设置; absent for merchants stored before it existed: read through `alertSettingsOf`. */
  alerts: AlertSettings.optional(),
  /** 营销设置 (issue 16); absent for merchants stored before it existed: read through `marketingSettingsOf`. */
  marketing: MarketingSettings.partial().optional(),
  /** The group robot's webhook URL (its key is the credential): sealed, shown to the app only as a hint. */
  pushRobot: z.object({ url: SealedSecret, hint: z.string().max(40) }).optional(),
  wecom: WecomConnection,
  createdAt: Instant,
  updatedAt: Instant,
});
export type Merchant = z.infer<typeof Merchant>;

export const Store = z.object({
  id: z.string().min(1),
  merchantId: MerchantId,
  name: z.string().min(1).max(60),
  address: z.string().max(200).default(''),
  createdAt: Instant,
});
export type Store = z.infer<typeof Store>;
