import { z } from 'zod';

/**
 * What happens when the customer writes again while a person holds the conversation (店铺设置):
 * `notify` tells the shop again (the default); `ai_after` lets the AI answer what it is confident
 * about once nobody from the shop has replied for `minutes` (resumeAiAfterSilence).
 */
export const FOLLOW_UP_MINUTES = { min: 5, max: 120, default: 10 } as const;

export const FollowUpSetting = z.object({
  mode: z.enum(['notify', 'ai_after']).default('notify'),
  minutes: z.number().int().min(FOLLOW_UP_MINUTES.min).max(FOLLOW_UP_MINUTES.max).default(FOLLOW_UP_MINUTES.default),
});
export type FollowUpSetting = z.infer<typeof FollowUpSetting>;

export const DEFAULT_FOLLOW_UP: FollowUpSetting = { mode: 'notify', minutes: FOLLOW_UP_MINUTES.default };

/** Why the AI is quiet in a conversation a person holds, as the owner reads it in the thread. */
export function silenceText(s: FollowUpSetting): string {
  return s.mode === 'notify' ? '店员接手了，AI 先不说话。客户再发消息会再提醒你们。' : `店员接手了，AI 先不说话；客户等了 ${s.minutes} 分钟店员还没回的话，AI 会先答有把握的问题。`;
}

/** The thread's line when the AI took over again after the shop stayed quiet. */
export function resumedText(minutes: number): string {
  return `店员 ${minutes} 分钟没回，AI 先答有把握的问题`;
}
