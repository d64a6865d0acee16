import { parseArgs } from 'node:util';
import { z } from 'zod';
import pino from 'pino';
import { AppError } from '@xiaoer/shared/domain/errors';
import { parseInput as validate } from '@xiaoer/shared/contracts/envelope';
import { MerchantId } from '@xiaoer/shared/domain/ids';
import { Role } from '@xiaoer/shared/domain/member';
import { createInvite, createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { loadConfig } from '../config';
import { createHostRuntime } from '../runtime-host';
import type { Runtime } from '../composition';
import { createLogger } from '../logger';
import { makeLoginLink } from '../host/login';
import { linkBaseForCli } from '../host/running';
import { merchantListing } from './listing';
import { runKbExport, runKbImport } from '../kb/formats';
import { runOrdersImport, runWebhookSchema, runWebhookSecret } from '../orders/cli';
import { runStockImport } from '../stock/cli';
import { runTagsApply, runTagsPreview } from '../tags/cli';
import { runCampaignPlan, runCampaignSend, runFollowupsPreview } from '../campaigns/cli';
import { sandboxSentList, sentListText, simulateCustomer, simulateText } from '../wecom-sandbox/cli';
import { evalAnswers, evalText } from './eval';
import { EvalModelFlags } from './eval-model';
import { runJobsDue, runReportShow } from './reports';
import { runReportExport } from '../reports/xlsx';
import { runCountersRebuild } from './counters';
import { runDoctorCli } from './doctor';
import { requireMerchant } from '@xiaoer/shared/usecases/shop/require-merchant';

/**
 * `npm run cli -- <command>`: the admin CLI (ARCHITECTURE §5). It opens the same DATA_DIR as
 * the host and works while the host runs (SQLite WAL + busy timeout).
 */

const USAGE = `用法: npm run cli -- <命令> [--json]
  merchant create --id <id> --name <店名> --corp-id <CorpID> --token <Token> --aes-key <EncodingAESKey>
                  [--kf-token T --kf-aes-key K] [--agent-id N] [--app-secret S] [--contact-secret S] [--kf-secret S]
                  [--industry 奶茶] [--timezone Asia/Shanghai] [--callback-url <企业微信后台填的回调地址，不是本机 PUBLIC_URL 时>]
  merchant list
  invite --merchant <id> --role owner|staff
  login-link --merchant <id> [--role owner|staff]
  kb import --merchant <id> --file <kb.json|.csv|.xlsx>     导入知识库（坏的行按行号报出来，好的行照常导入）
  kb export --merchant <id> --format json|csv|xlsx --out <文件>
  orders import --merchant <id> --file <orders.csv|.xlsx>  导入订单（同一单同一状态重复导入不会重复计算；坏的行按行号报出来）
  stock import --merchant <id> --file <stock.csv|.xlsx>    按编号改库存和黄色/红色提醒数量（列：编号、库存、黄色提醒、红色提醒）
  webhook secret --merchant <id>                生成或更换订单回调密钥（只显示这一次，旧的立即失效）
  webhook schema                                订单回调请求体的 JSON Schema（由代码里的 zod 定义生成）
  jobs run-due --at <2026-11-22T21:00:00+08:00>  按这个时间跑一次定时任务（只当作那个时间，不改任何时钟；跑过的不再跑）
  report show --merchant <id> --kind daily|weekly|monthly --date <YYYY-MM-DD>
                                                看日报、周报、月报（还没过完的按现在的数据重算，以前的看当时存下、发出的那份）
  report export --merchant <id> --kind daily|weekly|monthly --date <YYYY-MM-DD> --out <文件.xlsx>
                                                把这份报表导出成 Excel（数字、每天的明细、商品等）
  counters rebuild --merchant <id> [--from <YYYY-MM-DD>]
                                                按存下的消息和订单重算计数，和现在的计数逐天、逐小时对一遍（只核对，不改数）
  tags preview --merchant <id> --rule '<规则 JSON>'  这条标签规则现在符合多少客户、前 10 位是谁（不保存）
  tags apply --merchant <id>                    现在就按所有开着的标签规则给客户打标签，并同步到企业微信
  campaign plan --merchant <id> --audience '<标签表达式>' [--at <ISO>] [--exclude-messaged-days N] [--text 内容] [--text-b 第二版]
                                                群发能发到多少人、每个店员发多少、谁收不到和原因（存成草稿）
  campaign send --merchant <id> --campaign <草稿编号> [--text 内容]
                                                确认发送：到时间就在企业微信建好群发，店员确认后客户收到
  followups preview --merchant <id>             每个自动跟进（沉睡唤醒、生日、售后回访、复购提醒）这周会发给谁
  doctor --merchant <id> [--send-test]          企业微信连接检查（和小程序里的一样）：必填项、格式、回调地址，能连上时再真的试 gettoken、
                                                客服账号、回调验证、群机器人；--send-test 还会真的给老板发一条企业微信消息。有一项不过就退出码 1
  sandbox sent --merchant <id>                  沙箱收到的发送记录（最早的在前）
  simulate --merchant <id> --text <问题> [--customer <externalUserId>] [--wait <秒，默认 10>]
                                                经沙箱和真实加密回调，给正在运行的店小二发一条顾客消息
  eval answers --kb <kb.json> --cases <cases.json>  评测回答（配了 LLM_API_KEY 就用模型；每条一行 JSON + 汇总），不写 DATA_DIR
      [--base-url <https://…/v1>] [--model <名字>] [--api-key <key>] [--price-in <元/百万输入 token>] [--price-out <元/百万输出 token>]
                                                用任何 OpenAI 兼容的模型评测，汇总里加每 1000 个问题的花费 cost_per_1000（元）`;

/** `code`: the exit code when the command ran but its answer is a failure (doctor: a check failed). */
type Out = { json: unknown; text: string; code?: number };
type Command = (rt: Runtime, flags: Record<string, string | boolean | undefined>) => Promise<Out>;

const commands: Record<string, Command> = {
  // needs no runtime: runCli handles it before opening DATA_DIR
  'kb import': (rt, f) => runKbImport(rt, f),
  'orders import': (rt, f) => runOrdersImport(rt, f),
  'stock import': (rt, f) => runStockImport(rt, f),
  'webhook secret': (rt, f) => runWebhookSecret(rt, f),
  'webhook schema': () => runWebhookSchema(),
  'kb export': (rt, f) => runKbExport(rt, f),
  'jobs run-due': (rt, f) => runJobsDue(rt, f),
  'report show': (rt, f) => runReportShow(rt, f),
  'report export': (rt, f) => runReportExport(rt, f),
  'counters rebuild': (rt, f) => runCountersRebuild(rt, f),
  'tags preview': (rt, f) => runTagsPreview(rt, f),
  'tags apply': (rt, f) => runTagsApply(rt, f),
  'campaign plan': (rt, f) => runCampaignPlan(rt, f),
  'campaign send': (rt, f) => runCampaignSend(rt, f),
  'followups preview': (rt, f) => runFollowupsPreview(rt, f),
  doctor: (rt, f) => runDoctorCli(rt, f),
  'eval answers': async (_rt, f) => {
    const a = validate(z.object({ kb: z.string().min(1, '要给 --kb'), cases: z.string().min(1, '要给 --cases') }).merge(EvalModelFlags), f);
    const out = await evalAnswers({ kbFile: a.kb, casesFile: a.cases, model: a });
    return { json: out, text: evalText(out) };
  },
  'merchant create': async (rt, f) => {
    const { merchant, ownerInvite } = await createMerchant(rt.deps, {
      id: f.id as string,
      name: f.name as string,
      industry: (f.industry as string) ?? '',
      timezone: (f.timezone as string) ?? 'Asia/Shanghai',
      corpId: f['corp-id'] as string,
      token: f.token as string,
      aesKey: f['aes-key'] as string,
      kfToken: f['kf-token'] as string | undefined,
      kfAesKey: f['kf-aes-key'] as string | undefined,
      agentId: f['agent-id'] as unknown as number | undefined,
      appSecret: f['app-secret'] as string | undefined,
      contactSecret: f['contact-secret'] as string | undefined,
      kfSecret: f['kf-secret'] as string | undefined,
      callbackUrl: f['callback-url'] as string | undefined,
    });
    return {
      json: { id: merchant.id, name: merchant.name, ownerInvite: { code: ownerInvite.code, expiresAt: ownerInvite.expiresAt } },
      text: `已创建店铺 ${merchant.name}（${merchant.id}）\n老板邀请码：${ownerInvite.code}（7 天内有效，只能用一次）`,
    };
  },
  'merchant list': async (rt) => {
    const list = await merchantListing(rt);
    return { json: list, text: list.length ? list.map((m) => `${m.id}\t${m.name}\t${m.corpId}`).join('\n') : '还没有店铺' };
  },
  invite: async (rt, f) => {
    const a = validate(z.object({ merchant: MerchantId, role: Role }), f);
    await requireMerchant(rt.deps, a.merchant);
    const inv = await createInvite(rt.deps, a.merchant, a.role);
    return {
      json: { code: inv.code, role: inv.role, merchantId: inv.merchantId, expiresAt: inv.expiresAt },
      text: `邀请码：${inv.code}（${a.role === 'owner' ? '老板' : '店员'}，7 天内有效）`,
    };
  },
  'login-link': async (rt, f) => {
    const a = validate(z.object({ merchant: MerchantId, role: Role.default('owner') }), f);
    // the host running on this DATA_DIR, whatever PORT it was started on (host/running.ts)
    const url = await makeLoginLink(rt, a.merchant, a.role, linkBaseForCli(rt));
    return { json: { url }, text: url };
  },
  'sandbox sent': async (rt, f) => {
    const a = validate(z.object({ merchant: MerchantId }), f);
    const list = await sandboxSentList(rt, a.merchant);
    return { json: list, text: sentListText(list) };
  },
  simulate: async (rt, f) => {
    const a = validate(
      z.object({
        merchant: MerchantId,
        text: z.string().trim().min(1, '要给 --text'),
        customer: z.string().min(1).max(128).optional(),
        wait: z.coerce.number().min(0.5).max(120).default(10),
      }),
      f,
    );
    const r = await simulateCustomer(rt, { merchantId: a.merchant, text: a.text, customer: a.customer, waitMs: a.wait * 1000 });
    return { json: r, text: simulateText(r, a.wait * 1000) };
  },
};

const FLAG_NAMES = [
  'id',
  'name',
  'corp-id',
  'token',
  'aes-key',
  'kf-token',
  'kf-aes-key',
  'agent-id',
  'app-secret',
  'contact-secret',
  'kf-secret',
  'callback-url',
  'industry',
  'timezone',
  'merchant',
  'role',
  'text',
  'customer',
  'wait',
  'kb',
  'cases',
  'base-url',
  'model',
  'api-key',
  'price-in',
  'price-out',
  'file',
  'format',
  'out',
  'at',
  'kind',
  'date',
  'from',
  'rule',
  'audience',
  'exclude-messaged-days',
  'text-b',
  'campaign',
];

export async function runCli(argv: string[]): Promise<{ code: number; stdout: string }> {
  let json = argv.includes('--json');
  try {
    const { values, positionals } = (() => {
      try {
        return parseArgs({
          args: argv,
          allowPositionals: true,
          strict: true,
          options: {
            json: { type: 'boolean' },
            help: { type: 'boolean' },
            'send-test': { type: 'boolean' },
            ...Object.fromEntries(FLAG_NAMES.map((n) => [n, { type: 'string' as const }])),
          },
        });
      } catch (err) {
        throw new AppError('INPUT.INVALID', `参数不对：${(err as Error).message}\n${USAGE}`);
      }
    })();
    json = Boolean(values.json);
    const name = ['merchant', 'sandbox', 'eval', 'kb', 'orders', 'stock', 'webhook', 'jobs', 'report', 'counters', 'tags', 'campaign', 'followups'].includes(positionals[0] ?? '')
      ? `${positionals[0]} ${positionals[1] ?? ''}`.trim()
      : positionals[0];
    const cmd = name ? commands[name] : undefined;
    if (!cmd) throw new AppError('CLI.UNKNOWN_COMMAND', name ? `没有 ${name} 这个命令\n${USAGE}` : USAGE);
    if (name === 'eval answers') {
      const out = await cmd(undefined as unknown as Runtime, values);
      return { code: 0, stdout: json ? (out.json as unknown[]).map((l) => JSON.stringify(l)).join('\n') : out.text };
    }
    const config = loadConfig();
    const rt = await createHostRuntime({ config, logger: createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination(2)) });
    try {
      const out = await cmd(rt, values);
      return { code: out.code ?? 0, stdout: json ? JSON.stringify(out.json) : out.text };
    } finally {
      await rt.close();
    }
  } catch (err) {
    const body =
      err instanceof AppError
        ? { ok: false, code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) }
        : { ok: false, code: 'INTERNAL.ERROR', message: String((err as Error)?.message ?? err) };
    return { code: 1, stdout: JSON.stringify(body) };
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then(({ code, stdout }) => {
    process.stdout.write(`${stdout}\n`);
    process.exitCode = code;
  });
}
