import type { TrendContext } from './drawTrend';

export type RecordingContext = TrendContext & {
  ops: Op[];
  setTransform(...args: number[]): void;
  scale(x: number, y: number): void;
  measureText(text: string): { width: number };
};

/** A recording stand-in for a 2D context (jsdom has no canvas): every call and property write. */
export type Op = { op: string; args: unknown[] };

export function recordingContext(): RecordingContext {
  const ops: Op[] = [];
  const state: Record<string, unknown> = {};
  const record =
    (op: string) =>
    (...args: unknown[]) => {
      ops.push({ op, args });
    };
  const target = {
    ops,
    clearRect: record('clearRect'),
    fillRect: record('fillRect'),
    beginPath: record('beginPath'),
    moveTo: record('moveTo'),
    lineTo: record('lineTo'),
    arc: record('arc'),
    stroke: record('stroke'),
    fill: record('fill'),
    fillText: record('fillText'),
    setTransform: record('setTransform'),
    scale: record('scale'),
    measureText: (text: string) => ({ width: text.length * 6 }),
  };
  return new Proxy(target, {
    set(_t, key, value) {
      state[String(key)] = value;
      ops.push({ op: `set:${String(key)}`, args: [value] });
      return true;
    },
    get(t, key) {
      if (key in t) return (t as Record<string | symbol, unknown>)[key];
      return state[String(key)];
    },
  }) as unknown as RecordingContext;
}
