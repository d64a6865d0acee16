import fs from 'node:fs';
import path from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';
import type { Logger } from '../logger';

const TriggerFile = z.object({
  triggers: z.array(z.object({ name: z.string(), type: z.string(), config: z.string() })).default([]),
});

export interface TimerTrigger {
  fn: string;
  name: string;
  cron: string;
}

/** The timer triggers of every function folder's config.json, as CloudBase would read them. */
export function readTimerTriggers(functionsDir: string): TimerTrigger[] {
  const out: TimerTrigger[] = [];
  for (const fn of fs.readdirSync(functionsDir).sort()) {
    const file = path.join(functionsDir, fn, 'config.json');
    if (!fs.existsSync(file)) continue;
    const parsed = TriggerFile.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    for (const t of parsed.triggers) if (t.type === 'timer') out.push({ fn, name: t.name, cron: t.config });
  }
  return out;
}

/**
 * Fires each trigger like CloudBase does: 7-field cron in UTC+8. `protect` skips a tick while
 * the previous run is still going (no overlap); errors are logged, never thrown.
 */
export function startTimers(triggers: TimerTrigger[], run: (fn: string) => Promise<unknown>, logger: Logger): Cron[] {
  return triggers.map(
    (t) =>
      new Cron(
        t.cron,
        {
          name: `${t.fn}:${t.name}`,
          mode: '7-part',
          sloppyRanges: true,
          timezone: 'Asia/Shanghai',
          protect: (job) => logger.warn({ timer: job.name }, 'previous run still going, skipped this tick'),
          catch: (err) => logger.error({ err, timer: `${t.fn}:${t.name}` }, 'timer run failed'),
        },
        async () => {
          await run(t.fn);
        },
      ),
  );
}
