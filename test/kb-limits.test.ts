import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDeflateRaw } from 'node:zlib';
import { callApi } from '@xiaoer/shared/api/dispatch';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { ensureLocalMember } from '@xiaoer/shared/usecases/shop/members';
import { MAX_FAQS_PER_SHOP } from '@xiaoer/shared/usecases/knowledge/faqs';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { parseKbContent, readKnowledgeFile } from '../cloudfunctions/server/kb/formats';
import { testDeps } from './helpers/deps';
import { startTestHost, VECTOR_A, type TestHost } from './helpers/host';

/** Deflates `mb` MB of zeros without holding them: ~300 KB out for 300 MB in. */
async function deflatedZeros(mb: number): Promise<Buffer> {
  const z = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  z.on('data', (c: Buffer) => out.push(c));
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  for (let i = 0; i < mb; i++) if (!z.write(chunk)) await new Promise((r) => z.once('drain', r));
  await new Promise<void>((r) => z.end(r));
  return Buffer.concat(out);
}

/** A zip written by hand, so an entry can declare any size it likes. */
function zip(entries: { name: string; data: Buffer; method: number; declared: number }[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.declared, 22);
    local.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(e.method, 10);
    cd.writeUInt32LE(e.data.length, 20);
    cd.writeUInt32LE(e.declared, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    central.push(cd, name);
    offset += 30 + name.length + e.data.length;
  }
  const cdBytes = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cdBytes.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBytes, eocd]);
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: { code?: string; status?: number }) => `${e.code} ${e.status}`,
  );

describe('imports cannot freeze the host', () => {
  let host: TestHost;
  let bomb: Buffer;
  let liar: Buffer;
  beforeAll(async () => {
    host = await startTestHost();
    const zeros = await deflatedZeros(300);
    const types = { name: '[Content_Types].xml', data: Buffer.from('<Types/>'), method: 0, declared: 8 };
    bomb = zip([types, { name: 'xl/worksheets/sheet1.xml', data: zeros, method: 8, declared: 300 * 1024 * 1024 }]);
    // declares 1 KB but inflates to 300 MB: only inflating with a cap catches it
    liar = zip([types, { name: 'xl/worksheets/sheet1.xml', data: zeros, method: 8, declared: 1024 }]);
  }, 60_000);
  afterAll(() => host?.close());

  /** Runs `work` while polling /healthz; returns how many polls answered 200 and the work's outcome. */
  async function whilePolling(work: () => Promise<string>): Promise<{ outcome: string; answered: number }> {
    let answered = 0;
    let done = false;
    const poll = (async () => {
      while (!done) {
        const res = await fetch(`${host.url}/healthz`);
        if (res.status === 200) answered++;
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const outcome = await work();
    // one more answer after the work, so a poll that only ran before it started does not count alone
    const after = await fetch(`${host.url}/healthz`);
    if (after.status === 200) answered++;
    done = true;
    await poll;
    return { outcome, answered };
  }

  it('refuses an xlsx bomb (declared or hidden) while /healthz keeps answering', async () => {
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const declared = await whilePolling(() => code(parseKbContent('xlsx', bomb.toString('base64'))));
    expect(declared.outcome).toBe('INPUT.FILE_TOO_LARGE 413');
    expect(declared.answered).toBeGreaterThan(0);
    const hidden = await whilePolling(() => code(parseKbContent('xlsx', liar.toString('base64'))));
    expect(hidden.outcome).toBe('INPUT.FILE_TOO_LARGE 413');
    expect(hidden.answered).toBeGreaterThan(1);
  });

  it('refuses a 100k-row CSV from the CLI path (kb import) while /healthz keeps answering', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-kb-'));
    const file = path.join(dir, 'big.csv');
    fs.writeFileSync(file, `id,question,answer\n${Array.from({ length: 100_000 }, (_, i) => `f${i},问题${i},回答${i}`).join('\n')}\n`);
    try {
      const r = await whilePolling(() => code(readKnowledgeFile(file)));
      expect(r.outcome).toBe('INPUT.TOO_MANY_ROWS 413');
      expect(r.answered).toBeGreaterThan(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('knowledge-base cap and paging', () => {
  const OWNER = { openid: 'local:shop:owner' };
  let deps: Deps;
  const call = async (raw: Record<string, unknown>) => (await callApi(deps, OWNER, { merchantId: 'shop', ...raw }, undefined, parseKbContent)).result as any;
  beforeEach(async () => {
    deps = testDeps();
    await createMerchant(deps, { id: 'shop', name: '茶小满', ...VECTOR_A, kfSecret: 'kf-secret' });
    await ensureLocalMember(deps, 'shop', 'owner');
  });
  afterEach(() => deps.storage.close());

  const seed = async (n: number) => {
    for (let i = 0; i < n; i++)
      await deps.storage.knowledge.upsertFaq({
        id: `f${String(i).padStart(5, '0')}`,
        merchantId: 'shop',
        question: `问题${i}`,
        answer: `回答${i}`,
        alternatives: [],
        enabled: true,
        updatedAt: 1,
      });
  };

  it('refuses the 5,001st FAQ by save and by import, keeping what was there; edits still work', async () => {
    await seed(MAX_FAQS_PER_SHOP);
    expect(await code(call({ action: 'kb.save', question: '新问题', answer: '新回答', alternatives: [], enabled: true }))).toBe('CONFLICT.KB_FULL 409');
    expect(await code(call({ action: 'kb.import', format: 'csv', content: 'id,question,answer\nf00000,改过的问题,改过的回答\nnew-1,新问题,新回答\n' }))).toBe(
      'CONFLICT.KB_FULL 409',
    );
    const all = await deps.storage.knowledge.listFaqs('shop');
    expect(all).toHaveLength(MAX_FAQS_PER_SHOP);
    expect(all.find((f) => f.id === 'f00000')?.question).toBe('问题0');
    expect(await call({ action: 'kb.import', format: 'csv', content: 'id,question,answer\nf00000,改过的问题,改过的回答\n' })).toMatchObject({ added: 0, updated: 1 });
  }, 60_000);

  it('pages through every FAQ exactly once', async () => {
    await seed(250);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await call({ action: 'kb.list', limit: 100, ...(cursor ? { cursor } : {}) });
      seen.push(...page.faqs.map((f: { id: string }) => f.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    expect((await call({ action: 'kb.list' })).faqs).toHaveLength(100);
    expect(await code(call({ action: 'kb.list', limit: 201 }))).toBe('INPUT.INVALID 400');
  }, 60_000);
});
