import { parentPort, workerData } from 'node:worker_threads';
import { KbParseError, parseKbBytes, parseTableBytes, type KbFormat } from './parse';

/**
 * The import worker (started by formats.ts `parseInWorker`): parses one file and posts the rows
 * back, or a refusal as plain data. Runs as `kb-parse-worker.js` beside a function bundle
 * (scripts/build-functions.mjs), or from source through tsx's require hook (host, CLI, tests).
 * `kind: 'table'` reads a plain CSV/XLSX table (the order import) instead of knowledge-base rows.
 */
const input = workerData as { format: KbFormat; bytes: Uint8Array; file: string; kind?: 'kb' | 'table' };
const bytes = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);

(input.kind === 'table' && input.format !== 'json' ? parseTableBytes(input.format, bytes, input.file) : parseKbBytes(input.format, bytes, input.file)).then(
  (content) => parentPort?.postMessage({ ok: true, content }),
  (err: unknown) =>
    parentPort?.postMessage(
      err instanceof KbParseError
        ? { ok: false, code: err.code, status: err.status, message: err.message }
        : { ok: false, code: 'INPUT.INVALID', status: 400, message: `读不了这个文件：${(err as Error)?.message ?? String(err)}` },
    ),
);
