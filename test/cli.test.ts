import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../cloudfunctions/server/cli/main';
import { ErrorEnvelope } from '@xiaoer/shared/contracts/envelope';
import { VECTOR_A } from './helpers/host';

beforeAll(() => {
  process.env.DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-cli-'));
});
afterAll(() => {
  delete process.env.DATA_DIR;
});

const create = ['merchant', 'create', '--id', 'cli-shop', '--name', '命令行店', '--corp-id', VECTOR_A.corpId, '--token', VECTOR_A.token, '--aes-key', VECTOR_A.aesKey];

describe('admin CLI', () => {
  it('creates a merchant, lists it, makes invites and login links', async () => {
    const made = await runCli([...create, '--json']);
    expect(made.code).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ id: 'cli-shop', name: '命令行店', ownerInvite: { code: expect.stringMatching(/^[A-Z2-9]{8}$/) } });
    const list = JSON.parse((await runCli(['merchant', 'list', '--json'])).stdout);
    expect(list).toEqual([expect.objectContaining({ id: 'cli-shop', name: '命令行店' })]);
    const inv = JSON.parse((await runCli(['invite', '--merchant', 'cli-shop', '--role', 'staff', '--json'])).stdout);
    expect(inv).toMatchObject({ role: 'staff', merchantId: 'cli-shop' });
    const link = JSON.parse((await runCli(['login-link', '--merchant', 'cli-shop', '--role', 'staff', '--json'])).stdout);
    expect(link.url).toMatch(/^http:\/\/127\.0\.0\.1:8787\/login\?token=/);
    expect((await runCli(['login-link', '--merchant', 'cli-shop'])).stdout).toMatch(/^http/);
  });

  it('login links point at the host running on this DATA_DIR, whatever PORT it was started on', async () => {
    // what a host writes once it listens (cloudfunctions/server/host/running.ts)
    const file = path.join(process.env.DATA_DIR!, 'host.json');
    const link = async () => JSON.parse((await runCli(['login-link', '--merchant', 'cli-shop', '--json'])).stdout).url as string;
    try {
      fs.writeFileSync(file, JSON.stringify({ url: 'http://127.0.0.1:9123', pid: process.pid }));
      expect(await link()).toMatch(/^http:\/\/127\.0\.0\.1:9123\/login\?token=/);
      // a killed host's file names a process that is gone (above Linux's largest pid): PORT again
      fs.writeFileSync(file, JSON.stringify({ url: 'http://127.0.0.1:9123', pid: 2 ** 22 + 1 }));
      expect(await link()).toMatch(/^http:\/\/127\.0\.0\.1:8787\/login\?token=/);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('imports a knowledge base file and exports it again', async () => {
    const sample = path.join(__dirname, 'fixtures', 'samples', 'kb-bakery.json');
    const imported = await runCli(['kb', 'import', '--merchant', 'cli-shop', '--file', sample, '--json']);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ imported: expect.any(Number) });
    const out = path.join(os.tmpdir(), `xiaoer-kb-${Date.now()}.csv`);
    expect((await runCli(['kb', 'export', '--merchant', 'cli-shop', '--format', 'csv', '--out', out, '--json'])).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toContain('id,question,answer');
  });

  it('imports stock counts and marks through the table worker, bad rows by line', async () => {
    const file = path.join(os.tmpdir(), `xiaoer-stock-${Date.now()}.csv`);
    // the bakery sample lists no products: every row names a sku the shop does not have
    fs.writeFileSync(file, '编号,库存,黄色提醒,红色提醒\nB01,12,5,2\nB02,x,,\n');
    const out = await runCli(['stock', 'import', '--merchant', 'cli-shop', '--file', file, '--json']);
    expect(out.code).toBe(0);
    const r = JSON.parse(out.stdout);
    expect(r).toMatchObject({ merchantId: 'cli-shop', updated: 0 });
    expect(r.errors.map((e: { line: number }) => e.line)).toEqual([2, 3]);
    fs.writeFileSync(file, '名字,价格\n奶茶,10\n');
    const bad = await runCli(['stock', 'import', '--merchant', 'cli-shop', '--file', file, '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ code: 'INPUT.INVALID' });
  });

  it("rebuilds a shop's counters from its messages and orders and says whether they agree", async () => {
    const out = await runCli(['counters', 'rebuild', '--merchant', 'cli-shop', '--from', '2026-11-20', '--json']);
    expect(out.code).toBe(0);
    const r = JSON.parse(out.stdout);
    // nothing counted and nothing stored: every day from --from to today agrees
    expect(r).toMatchObject({ matched: true, diffs: [], from: '2026-11-20', diffCount: 0 });
    expect(r.days).toBeGreaterThanOrEqual(1);
    expect((await runCli(['counters', 'rebuild', '--merchant', 'cli-shop', '--from', '2026-11-20'])).stdout).toMatch(/完全一致/);
  });

  it.each([
    [[], 'CLI.UNKNOWN_COMMAND'],
    [['frobnicate'], 'CLI.UNKNOWN_COMMAND'],
    [['merchant', 'delete'], 'CLI.UNKNOWN_COMMAND'],
    [['merchant', 'create', '--id', 'x'], 'INPUT.INVALID'],
    [[...create.slice(0, -2), '--aes-key', 'short'], 'INPUT.INVALID'],
    [[...create, '--kf-token', 'onlyhalf'], 'INPUT.INVALID'],
    [[...create, '--timezone', 'Mars/Olympus'], 'INPUT.INVALID'],
    [[...create, '--agent-id', 'abc'], 'INPUT.INVALID'],
    [create, 'CONFLICT.MERCHANT_EXISTS'],
    [['invite', '--merchant', 'cli-shop', '--role', 'boss'], 'INPUT.INVALID'],
    [['invite', '--merchant', 'nobody', '--role', 'staff'], 'NOT_FOUND.MERCHANT'],
    [['login-link', '--merchant', 'Bad Id'], 'INPUT.INVALID'],
    [['login-link', '--merchant', 'nobody'], 'NOT_FOUND.MERCHANT'],
    [['login-link', '--bogus-flag', 'x'], 'INPUT.INVALID'],
    [['kb', 'import', '--merchant', 'cli-shop', '--file', '/nonexistent.json'], 'INPUT.INVALID'],
    [['kb', 'export', '--merchant', 'nobody', '--format', 'json', '--out', '/tmp/x.json'], 'NOT_FOUND.MERCHANT'],
    [['jobs', 'run-due'], 'INPUT.INVALID'],
    [['jobs', 'run-due', '--at', 'tomorrow 21:00'], 'INPUT.INVALID'],
    [['jobs', 'run-due', '--at', '2026-11-22T21:00:00'], 'INPUT.INVALID'], // no time zone
    [['jobs', 'frobnicate'], 'CLI.UNKNOWN_COMMAND'],
    [['report', 'show', '--merchant', 'cli-shop', '--kind', 'daily', '--date', '2026-02-30'], 'INPUT.INVALID'],
    [['report', 'show', '--merchant', 'cli-shop', '--kind', 'yearly', '--date', '2026-02-03'], 'INPUT.INVALID'],
    [['report', 'show', '--merchant', 'nobody', '--kind', 'daily', '--date', '2026-02-03'], 'NOT_FOUND.MERCHANT'],
    [['report', 'show', '--merchant', 'cli-shop', '--kind', 'daily', '--date', '2099-01-01'], 'NOT_FOUND.REPORT'],
    [['counters', 'rebuild'], 'INPUT.INVALID'],
    [['counters', 'rebuild', '--merchant', 'cli-shop', '--from', '2026-02-30'], 'INPUT.INVALID'],
    [['counters', 'rebuild', '--merchant', 'nobody'], 'NOT_FOUND.MERCHANT'],
    [['counters', 'reset', '--merchant', 'cli-shop'], 'CLI.UNKNOWN_COMMAND'],
  ])('%j exits 1 with the envelope %s', async (args, code) => {
    const out = await runCli([...args, '--json']);
    expect(out.code).toBe(1);
    const env = JSON.parse(out.stdout);
    expect(ErrorEnvelope.safeParse(env).success).toBe(true);
    expect(env.code).toBe(code);
  });
});
