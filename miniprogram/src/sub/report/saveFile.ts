import Taro from '@tarojs/taro';

export class SaveFileError extends Error {}

const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(base64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Hands an exported workbook to the person. H5: a download through `<a download>`. weapp: a
 * mini program cannot download to the phone, so the file goes to its user data folder and
 * opens in WeChat's viewer, whose menu (showMenu) forwards it to a chat or opens it elsewhere.
 */
export async function saveWorkbook(file: { filename: string; base64: string }): Promise<'downloaded' | 'opened'> {
  if (process.env.TARO_ENV === 'weapp') {
    const filePath = `${Taro.env.USER_DATA_PATH}/${file.filename}`;
    await new Promise<void>((resolve, reject) =>
      Taro.getFileSystemManager().writeFile({
        filePath,
        data: file.base64,
        encoding: 'base64',
        success: () => resolve(),
        fail: (e) => reject(new SaveFileError(`文件存不下来：${e.errMsg}`)),
      }),
    );
    try {
      await Taro.openDocument({ filePath, fileType: 'xlsx', showMenu: true });
    } catch (e) {
      throw new SaveFileError(`文件打不开：${(e as { errMsg?: string }).errMsg ?? '请稍后再试'}`);
    }
    return 'opened';
  }
  const url = URL.createObjectURL(new Blob([bytesOf(file.base64)], { type: XLSX_MIME }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // the click has started the download; the object URL is not needed after this turn
  setTimeout(() => URL.revokeObjectURL(url), 0);
  return 'downloaded';
}
