import crypto from 'node:crypto';
import { z } from 'zod';
import type { ChartRenderer } from '@xiaoer/shared/ports/chart';
import { createChartRenderer } from './renderer';
import { SAMPLE_WEEK } from './sample';

/** `{"check":"chart"}`: the event that asks the scheduler function for a sample chart instead of a tick. */
export const ChartCheckEvent = z.object({ check: z.literal('chart') }).strict();
export const isChartCheck = (event: unknown) => ChartCheckEvent.safeParse(event).success;

export interface ChartCheckResult {
  ok: true;
  width: number;
  height: number;
  bytes: number;
  /** Of the PNG: equal to a local render of SAMPLE_WEEK when the cloud draws exactly as the host does. */
  sha256: string;
  ms: number;
}

/**
 * Draws SAMPLE_WEEK and describes the PNG. Invoked by hand after a deploy (the README's CloudBase
 * steps), it proves resvg's binary loads and the bundled font is found where the function runs.
 */
export async function chartSelfCheck(renderer: ChartRenderer = createChartRenderer()): Promise<ChartCheckResult> {
  const t = performance.now();
  const { png, width, height } = await renderer.renderTrend(SAMPLE_WEEK);
  const ms = Math.round(performance.now() - t);
  return { ok: true, width, height, bytes: png.length, sha256: crypto.createHash('sha256').update(png).digest('hex'), ms };
}
