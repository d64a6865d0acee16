import type { Log } from '../../ports/logger';
import { SUMMARY_EVERY_MS, tallyCallback } from './callback-tally';

function recordingLog() {
  const lines: { level: string; obj: object; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj, msg });
  const log: Log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { log, lines };
}

describe('the callback summary line', () => {
  it('writes one info line a minute with the counts, and nothing in between', () => {
    const { log, lines } = recordingLog();
    const t0 = 1_000_000;
    for (let i = 0; i < 50; i++) tallyCallback(log, 'stored', t0 + i * 100);
    tallyCallback(log, 'duplicate', t0 + 6_000);
    tallyCallback(log, 'rejected', t0 + 7_000);
    expect(lines).toEqual([]);
    tallyCallback(log, 'stored', t0 + SUMMARY_EVERY_MS);
    expect(lines).toEqual([{ level: 'info', obj: { stored: 51, duplicate: 1, rejected: 1, seconds: 60 }, msg: 'wecom callbacks in the last minute' }]);
    tallyCallback(log, 'stored', t0 + SUMMARY_EVERY_MS + 1_000);
    expect(lines).toHaveLength(1);
  });
});
