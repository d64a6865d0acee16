import Taro from '@tarojs/taro';

/** A table an owner imports from the phone: csv/json as text, xlsx as base64 (binary). */
export type TableFile<F extends string> = { name: string; format: F; content: string };

/** Something wrong with the file the owner chose; the message is for them. */
export class TableFileError extends Error {}

/**
 * CloudBase takes at most 100 KB of text per function call (callFunction's data; larger needs a
 * CDN upload the function would fetch — not built): keep some room for the rest of the request.
 */
export const WEAPP_MAX_CHARS = 95_000;
/** The import contracts' own cap on `content`. */
export const H5_MAX_CHARS = 2_000_000;

/** What one import takes, and what it tells the owner when a file does not fit. */
export interface TableFileSpec<F extends string> {
  formats: readonly F[];
  wrongType: (name: string) => string;
  /** weapp: over ~90 KB. */
  tooBigWeapp: (name: string) => string;
  /** H5: over ~1.5 MB. */
  tooBigH5: (name: string) => string;
}

/** The format from the file name; null for anything the import does not take. */
export function formatIn<F extends string>(name: string, formats: readonly F[]): F | null {
  const ext = name.split('.').pop()?.toLowerCase();
  return formats.find((f) => f === ext) ?? null;
}

/** weapp: a file from a WeChat chat (the only place a phone user keeps files). Null when cancelled. */
export async function pickTableFileWeapp<F extends string>(spec: TableFileSpec<F>): Promise<TableFile<F> | null> {
  let picked: { path: string; name: string } | undefined;
  try {
    picked = (await Taro.chooseMessageFile({ count: 1, type: 'file', extension: [...spec.formats] })).tempFiles[0];
  } catch {
    return null; // cancelled
  }
  if (!picked) return null;
  const format = formatIn(picked.name, spec.formats);
  if (!format) throw new TableFileError(spec.wrongType(picked.name));
  const content = await new Promise<string>((resolve, reject) => {
    Taro.getFileSystemManager().readFile({
      filePath: picked!.path,
      encoding: format === 'xlsx' ? 'base64' : 'utf8',
      success: (r) => resolve(typeof r.data === 'string' ? r.data : ''),
      fail: (e) => reject(new TableFileError(`文件读不出来：${e.errMsg}`)),
    });
  });
  if (content.length > WEAPP_MAX_CHARS) throw new TableFileError(spec.tooBigWeapp(picked.name));
  return { name: picked.name, format, content };
}

/** H5: a file from <input type="file">, read the same way. */
export function readTableFileH5<F extends string>(file: File, spec: TableFileSpec<F>): Promise<TableFile<F>> {
  const format = formatIn(file.name, spec.formats);
  if (!format) return Promise.reject(new TableFileError(spec.wrongType(file.name)));
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(new TableFileError('文件读不出来，请换一个文件试试'));
    reader.onload = () => {
      const result = typeof reader.result === 'string' ? reader.result : '';
      // a data: URL is "data:<type>;base64,<data>": keep the data
      const content = format === 'xlsx' ? result.slice(result.indexOf(',') + 1) : result;
      if (content.length > H5_MAX_CHARS) reject(new TableFileError(spec.tooBigH5(file.name)));
      else resolve({ name: file.name, format, content });
    };
    if (format === 'xlsx') reader.readAsDataURL(file);
    else reader.readAsText(file, 'utf-8');
  });
}
