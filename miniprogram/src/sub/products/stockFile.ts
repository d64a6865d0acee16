import Taro from '@tarojs/taro';

export type StockFile = { name: string; format: 'csv' | 'xlsx'; content: string };

export class StockFileError extends Error {}

/** The format stock.import expects, from the file name; null for anything else. */
export function stockFormatOf(name: string): StockFile['format'] | null {
  const ext = name.split('.').pop()?.toLowerCase();
  return ext === 'csv' || ext === 'xlsx' ? ext : null;
}

const wrongType = (name: string) => new StockFileError(`「${name}」不是 Excel（xlsx）或 CSV 文件`);
/** CloudBase takes about 100 KB per function call: leave room for the rest of the request. */
export const WEAPP_MAX_CHARS = 95_000;
/** The contract's own cap (stock.import content). */
export const H5_MAX_CHARS = 2_000_000;
const tooBig = (name: string, limit: string) =>
  new StockFileError(`「${name}」太大了（手机上最多约 ${limit}）。请分成几个小表格，或在电脑上用命令导入（npm run cli -- stock import）`);

/** weapp: a file from a WeChat chat (where a phone keeps files), csv as text, xlsx as base64. Null when cancelled. */
export async function pickStockFileWeapp(): Promise<StockFile | null> {
  let picked: { path: string; name: string } | undefined;
  try {
    picked = (await Taro.chooseMessageFile({ count: 1, type: 'file', extension: ['csv', 'xlsx'] })).tempFiles[0];
  } catch {
    return null; // cancelled
  }
  if (!picked) return null;
  const format = stockFormatOf(picked.name);
  if (!format) throw wrongType(picked.name);
  const content = await new Promise<string>((resolve, reject) => {
    Taro.getFileSystemManager().readFile({
      filePath: picked!.path,
      encoding: format === 'xlsx' ? 'base64' : 'utf8',
      success: (r) => resolve(typeof r.data === 'string' ? r.data : ''),
      fail: (e) => reject(new StockFileError(`文件读不出来：${e.errMsg}`)),
    });
  });
  if (content.length > WEAPP_MAX_CHARS) throw tooBig(picked.name, '90 KB');
  return { name: picked.name, format, content };
}

/** H5: a file from <input type="file">, read the same way. */
export function readStockFileH5(file: File): Promise<StockFile> {
  const format = stockFormatOf(file.name);
  if (!format) return Promise.reject(wrongType(file.name));
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(new StockFileError('文件读不出来，请换一个文件试试'));
    reader.onload = () => {
      const result = typeof reader.result === 'string' ? reader.result : '';
      // a data: URL is "data:<type>;base64,<data>": keep the data
      const content = format === 'xlsx' ? result.slice(result.indexOf(',') + 1) : result;
      if (content.length > H5_MAX_CHARS) reject(tooBig(file.name, '1.5 MB'));
      else resolve({ name: file.name, format, content });
    };
    if (format === 'xlsx') reader.readAsDataURL(file);
    else reader.readAsText(file, 'utf-8');
  });
}
