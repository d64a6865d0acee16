/** A fetch stand-in answering POST /fn/api by action, like the local host does. */
export type Reply = { status?: number; json?: unknown; text?: string };
export type Handler = (body: { action: string; [k: string]: unknown }) => Reply;

export function mockFetch(handler: Handler) {
  const fn = jest.fn(async (_url: string, init?: { body?: string }) => {
    const reply = handler(JSON.parse(init?.body ?? '{}'));
    const status = reply.status ?? 200;
    const text = reply.text ?? JSON.stringify(reply.json);
    return { status, ok: status >= 200 && status < 300, text: async () => text };
  });
  (globalThis as { fetch?: unknown }).fetch = fn;
  return fn;
}

export const ok = (data: unknown): Reply => ({ json: { ok: true, data } });
export const fail = (status: number, code: string, message: string): Reply => ({ status, json: { ok: false, code, message } });
