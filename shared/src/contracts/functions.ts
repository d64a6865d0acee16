import { z } from 'zod';

/**
 * Payloads and results of the functions other than `api` (whose contract is api.ts): what the
 * CloudBase triggers hand them and what they answer.
 */

/** CloudBase HTTP access (云接入) event, the fields the `wecom` and `webhook` functions read. */
export const HttpTriggerEvent = z.object({
  path: z.string().max(2048).default('/'),
  httpMethod: z.string().max(10).default('GET'),
  queryStringParameters: z
    .record(z.string(), z.string())
    .nullish()
    .transform((q) => q ?? {}),
  headers: z.record(z.string(), z.string()).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().nullish(),
});
export type HttpTriggerEvent = z.infer<typeof HttpTriggerEvent>;

/** An integration response: CloudBase sends `body` as is, with these headers. */
export const HttpTriggerResult = z.object({
  statusCode: z.number().int(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
  isBase64Encoded: z.boolean().optional(),
});
export type HttpTriggerResult = z.infer<typeof HttpTriggerResult>;

/** What one scheduler tick did. */
export const SchedulerResult = z.object({
  planned: z.number().int().nonnegative(),
  claimed: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  retried: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
export type SchedulerResult = z.infer<typeof SchedulerResult>;

/** The signed query of every WeCom callback. */
export const WecomSignedQuery = z.object({
  msg_signature: z.string().regex(/^[0-9a-fA-F]{40}$/),
  timestamp: z.string().regex(/^\d{1,12}$/),
  nonce: z.string().min(1).max(64),
});
/** URL verification (GET) adds the encrypted echostr. */
export const WecomVerifyQuery = WecomSignedQuery.extend({ echostr: z.string().min(1).max(4096) });

/** The order webhook's signing headers (README "Order webhook"), as the adapter reads them. */
export const WebhookHeaders = z.object({
  /** X-Xiaoer-Timestamp: Unix seconds. */
  timestamp: z.string().regex(/^\d{1,12}$/),
  /** X-Xiaoer-Signature: any text up to a sane length reaches the constant-time compare (which refuses all but the exact lowercase hex). */
  signature: z.string().min(1).max(1024),
});
