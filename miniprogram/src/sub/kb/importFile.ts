import Taro from '@tarojs/taro';

export type ImportFormat = 'json' | 'csv' | 'xlsx';
export type PickedFile = { name: string; format: ImportFormat; content: string };

export const IMPORT_EXTENSIONS: ImportFormat[] = ['json', 'csv', 'xlsx'];

/** The format kb.import expects, from the file name; null for anything else. */
export function formatOf(name: string): ImportFormat | null {
  const ext = name.split('.').pop()?.toLowerCase();
  return ext === 'json' || ext === 'csv' || ext === 'xlsx' ? ext : null;
}

export class ImportFileError extends Error {}

const wrongType = (name: string) => new ImportFileError(`「${name}」不是 json、csv 或 xlsx 文件`);

/**
 * weapp: pick a file from a WeChat chat (the only place a phone user keeps files) and read it —
 * text for json/csv, base64 for xlsx (binary). Null when the owner cancels.
 */
export async function pickFileWeapp(): Promise<PickedFile | null> {
  let picked: { path: string; name: string } | undefined;
  try {
    const res = await Taro.chooseMessageFile({ count: 1, type: 'file', extension: IMPORT_EXTENSIONS });
    picked = res.tempFiles[0];
  } catch {
    return null; // cancelled
  }
  if (!picked) return null;
  const format = formatOf(picked.name);
  if (!format) throw wrongType(picked.name);
  const content = await new Promise<string>((resolve, reject) => {
    Taro.getFileSystemManager().readFile({
      filePath: picked!.path,
      encoding: format === 'xlsx' ? 'base64' : 'utf8',
      success: (r) => resolve(typeof r.data === 'string' ? r.data : ''),
      fail: (e) => reject(new ImportFileError(`文件读不出来：${e.errMsg}`)),
    });
  });
  if (content.length > WEAPP_MAX_CHARS) {
    throw new ImportFileError(`「${picked.name}」太大了：小程序一次只能传 90 KB 左右。请把问答分成几个小文件分别导入，或在电脑上用 npm run cli -- kb import 导入`);
  }
  return { name: picked.name, format, content };
}

/**
 * CloudBase takes at most 100 KB of text per function call (callFunction's data; larger needs a
 * CDN upload the function would fetch — not built): keep some room for the rest of the request.
 */
export const WEAPP_MAX_CHARS = 95_000;
/** The contract's own cap (kb.import content). */
export const H5_MAX_CHARS = 2_000_000;

/** H5: read a file from <input type="file"> the same way. */
export function readFileH5(file: File): Promise<PickedFile> {
  const format = formatOf(file.name);
  if (!format) return Promise.reject(wrongType(file.name));
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(new ImportFileError('文件读不出来，请换一个文件试试'));
    reader.onload = () => {
      const result = typeof reader.result === 'string' ? reader.result : '';
      // a data: URL is "data:<type>;base64,<data>": keep the data
      const content = format === 'xlsx' ? result.slice(result.indexOf(',') + 1) : result;
      if (content.length > H5_MAX_CHARS) reject(new ImportFileError(`「${file.name}」太大了（最多约 1.5 MB），请分成几个小文件`));
      else resolve({ name: file.name, format, content });
    };
    if (format === 'xlsx') reader.readAsDataURL(file);
    else reader.readAsText(file, 'utf-8');
  });
}
