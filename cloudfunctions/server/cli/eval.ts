import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { AppError } from '@xiaoer/shared/domain/errors';
import { describeZodError } from '@xiaoer/shared/contracts/envelope';
import { createOfflineEngine } from '@xiaoer/shared/usecases/answer';
import type { KvEntry, KvRepo } from '@xiaoer/shared/ports/storage';
import { systemClock } from '@xiaoer/shared/domain/time';
import { createAnswerer } from '../answering';
import { countCases, type Scores, scoresOf } from './eval-score';
import { type Config, loadConfig } from '../config';
import { nodeTimers } from '../timers';
import { type EvalModelFlags, modelTally, modelText, withModelFlags } from './eval-model';

/**
 * `eval answers --kb <kb.json> --cases <cases.json>` (ARCHITECTURE §5): runs the answer engine on
 * each case and scores it. Reads two files, writes nothing (no runtime, no DATA_DIR).
 */

const KbFile = z
  .object({
    faqs: z.array(
      z.object({
        id: z.string().min(1),
        question: z.string().min(1),
        answer: z.string().min(1),
        alternatives: z.array(z.string()).optional(),
        enabled: z.boolean().optional(),
      }),
    ),
    /** The shop's team: customers ask for them by name (a handoff signal). */
    members: z.array(z.object({ name: z.string(), role: z.string().optional() }).passthrough()).optional(),
  })
  .passthrough();
/**
 * Unknown keys (`reason`, notes) are ignored; `accept` lists other right outcomes; `answered`, for
 * a message with two requests, the FAQs the handoff should also answer.
 */
const CasesFile = z.array(z.object({ q: z.string().min(1), expect: z.string().min(1), accept: z.array(z.string()).optional(), answered: z.array(z.string()).optional() }));

/** `answered`: on a handoff of a message with two requests, the FAQs answered in the same reply. */
/** `suggestion`: on a clarifying question, the FAQ it names (a "是的" next answers it). */
export type EvalLine = { q: string; expect: string; got: string; answered?: string[]; suggestion?: string; answer: string | null; confidence: number; ms: number };
export type EvalSummary = { summary: Omit<Scores, 'two_part' | 'two_part_n' | 'two_part_ci'> & Partial<Scores> & { p50_ms: number; p99_ms: number } };

function readJson<T extends z.ZodTypeAny>(file: string, schema: T, what: string): z.infer<T> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError('INPUT.INVALID', `读不到${what}文件 ${file}：${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const line = errorLine(text, (err as Error).message);
    throw new AppError('INPUT.INVALID', `${what}文件 ${file} 不是合法 JSON${line ? `（第 ${line} 行附近）` : ''}：${(err as Error).message}`, 400, { file, line });
  }
  const r = schema.safeParse(data);
  if (!r.success) {
    const { message, details } = describeZodError(r.error);
    throw new AppError('INPUT.INVALID', `${what}文件 ${file} ${message}`, 400, { file, issues: details });
  }
  return r.data;
}

/** The 1-based line of a JSON.parse error: from "position N" or, on Node 20, the quoted snippet. */
function errorLine(text: string, message: string): number | undefined {
  const pos = /position (\d+)/.exec(message);
  if (pos) return text.slice(0, Number(pos[1])).split('\n').length;
  const snip = /"(?:\.\.\.)?([\s\S]*?)(?:\.\.\.)?" is not valid JSON/.exec(message)?.[1];
  if (!snip) return undefined;
  const at = text.indexOf(snip);
  if (at < 0) return undefined;
  const tok = /token '(.)'/.exec(message)?.[1];
  const off = tok ? Math.max(0, snip.indexOf(tok)) : 0;
  return text.slice(0, at + off).split('\n').length;
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : 0);

/** §5's summary (with `accept` honoured) plus a 95% Wilson interval beside each fraction. */
export function summarize(
  lines: EvalLine[],
  accepts: readonly (readonly string[] | undefined)[] = [],
  expectAnswered: readonly (readonly string[] | undefined)[] = [],
): EvalSummary {
  const ms = lines.map((l) => l.ms).sort((a, b) => a - b);
  const { two_part, two_part_n, two_part_ci, ...rest } = scoresOf(
    countCases(lines.map((l, i) => ({ expect: l.expect, got: l.got, accept: accepts[i], answered: l.answered, expectAnswered: expectAnswered[i], suggestion: l.suggestion }))),
  );
  // the two-part keys only where the cases have two-part messages (§5's keys stay as they were)
  const scores = two_part_n ? { ...rest, two_part, two_part_n, two_part_ci } : rest;
  return {
    summary: {
      ...scores,
      p50_ms: Math.round(pct(ms, 50) * 1000) / 1000,
      p99_ms: Math.round(pct(ms, 99) * 1000) / 1000,
    },
  };
}

/**
 * Runs the product's engine as configured (ARCHITECTURE §5): the model when LLM_API_KEY is set,
 * else the offline engine. Nothing touches DATA_DIR: the knowledge base comes from the file and
 * the model's budget bookkeeping lives in memory for the run.
 */
export async function evalAnswers(a: { kbFile: string; casesFile: string; config?: Config; model?: EvalModelFlags }): Promise<[...EvalLine[], EvalSummary]> {
  const kb = readJson(a.kbFile, KbFile, '知识库');
  const cases = readJson(a.casesFile, CasesFile, '用例');
  const config = withModelFlags(a.config ?? loadConfig(), a.model);
  const lines: EvalLine[] = [];
  const accepts = cases.map((c) => c.accept);
  const expectAnswered = cases.map((c) => c.answered);
  if (!config.llm.enabled || !config.llm.apiKey) {
    const engine = createOfflineEngine(kb);
    for (const c of cases) {
      const t0 = performance.now();
      const r = engine.answer(c.q);
      const ms = performance.now() - t0;
      const answered = r.got === 'handoff' && r.answered?.length ? { answered: r.answered } : {};
      const suggestion = r.got === 'clarify' && r.suggestion ? { suggestion: r.suggestion } : {};
      lines.push({ q: c.q, expect: c.expect, got: r.got, ...answered, ...suggestion, answer: r.answer, confidence: r.confidence, ms: Math.round(ms * 1000) / 1000 });
    }
    return [...lines, summarize(lines, accepts, expectAnswered)];
  }
  const faqs = kb.faqs.map((f) => ({ ...f, alternatives: f.alternatives ?? [], enabled: f.enabled ?? true, merchantId: 'eval', updatedAt: 0 }));
  const knowledge = { listFaqs: async () => faqs };
  // the same answering part as the product, with the model's budget kept in memory for the run
  const tally = modelTally(config);
  const members = async () => kb.members ?? [];
  const answerer = createAnswerer(config, { knowledge, members, kv: memoryKv(), clock: systemClock, timers: nodeTimers, monthlyBudgetFen: Number.MAX_SAFE_INTEGER });
  for (const c of cases) {
    const t0 = performance.now();
    const d = await answerer.answer({ merchantId: 'eval', externalUserId: 'eval', text: c.q, history: [] });
    const ms = performance.now() - t0;
    tally.add(d);
    const got = d.handoff ? 'handoff' : d.reason === 'chitchat' ? 'chitchat' : d.reason === 'clarify' || !d.reply || d.knowledgeIds.length === 0 ? 'clarify' : d.knowledgeIds[0];
    const answered = d.handoff && d.partial && d.knowledgeIds.length ? { answered: d.knowledgeIds } : {};
    const answer = d.handoff && d.partial ? d.partial.answer : d.reply;
    const suggestion = got === 'clarify' && d.suggestedId ? { suggestion: d.suggestedId } : {};
    lines.push({ q: c.q, expect: c.expect, got, ...answered, ...suggestion, answer, confidence: d.confidence, ms: Math.round(ms * 1000) / 1000 });
  }
  const scored = summarize(lines, accepts, expectAnswered);
  return [...lines, { summary: { ...scored.summary, ...tally.figures(lines.length) } }];
}

/** A KvRepo in memory, for a run that must not write DATA_DIR. */
function memoryKv(): KvRepo {
  const m = new Map<string, KvEntry>();
  const k = (a: string, b: string, c: string) => `${a}\u0000${b}\u0000${c}`;
  return {
    async get<T>(a: string, b: string, c: string) {
      return (m.get(k(a, b, c)) as KvEntry<T> | undefined) ?? null;
    },
    async set(a, b, c, value, expected, now) {
      const cur = m.get(k(a, b, c));
      if ((expected === null && cur) || (expected !== null && cur?.version !== expected)) return false;
      m.set(k(a, b, c), { key: c, value, version: (cur?.version ?? 0) + 1, updatedAt: now });
      return true;
    },
    async delete(a, b, c) {
      m.delete(k(a, b, c));
    },
    async prune(ns, before, limit) {
      let n = 0;
      for (const [key, e] of m) {
        if (n >= limit) break;
        if (key.split('\u0000')[1] === ns && e.updatedAt < before) {
          m.delete(key);
          n++;
        }
      }
      return n;
    },
    async list<T>(a: string, b: string, limit: number) {
      return [...m.entries()]
        .filter(([key]) => key.startsWith(`${a}\u0000${b}\u0000`))
        .map(([, v]) => v as KvEntry<T>)
        .slice(0, limit);
    },
  };
}

export function evalText(out: Awaited<ReturnType<typeof evalAnswers>>): string {
  const s = (out[out.length - 1] as EvalSummary).summary;
  const p = (x: number) => `${(x * 100).toFixed(1)}%`;
  const two = s.two_part_n ? `，一句两问答对 ${p(s.two_part ?? 0)}（${s.two_part_n} 条）` : '';
  return `${s.n} 条用例：准确率 ${p(s.precision)}，覆盖率 ${p(s.coverage)}（顾客答一句「是的」后 ${p(s.confirmed_coverage)}），转人工召回 ${p(s.handoff_recall)}${two}，p50 ${s.p50_ms} ms，p99 ${s.p99_ms} ms${modelText(s)}`;
}
