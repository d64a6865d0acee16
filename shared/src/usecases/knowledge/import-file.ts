import { AppError } from '../../domain/errors';
import type { Deps } from '../../ports/deps';
import type { KbFileParser } from '../../ports/kb-files';
import { recordAudit } from '../shop/audit';
import { importKnowledge } from './import';

export interface FileImport {
  merchantId: string;
  actorId: string;
  format: 'json' | 'csv' | 'xlsx';
  content: string;
}

/**
 * A knowledge-base file sent from the phone: good rows are kept, bad ones reported (at most 100,
 * one line each). Added vs updated is counted from the size of the knowledge base before and after.
 */
export async function importKnowledgeFile(deps: Deps, input: FileImport, parse: KbFileParser | undefined) {
  if (!parse) throw new AppError('CONFIG.NO_IMPORT', '这里暂时不能导入文件，请用电脑上的命令行导入', 503);
  const { merchantId } = input;
  const file = await parse(input.format, input.content);
  const size = async () => (await deps.storage.knowledge.listFaqs(merchantId)).length + (await deps.storage.knowledge.listProducts(merchantId)).length;
  const before = await size();
  const result = await importKnowledge(deps, merchantId, file.rows, { facts: file.facts });
  const added = Math.max(0, (await size()) - before);
  await recordAudit(deps, { merchantId, actor: input.actorId, action: 'kb.import', target: input.format });
  const errors = [...file.errors, ...result.errors]
    .slice(0, 100)
    .map((e) => ({ line: e.line, message: `${e.note ? `${e.note}：` : ''}${e.field ? `${e.field} ` : ''}${e.message}` }));
  return { added, updated: Math.max(0, result.imported - added), errors };
}
