import Taro from '@tarojs/taro';

export class SaveQrError extends Error {}

function clickDownload(href: string, filename: string) {
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.target = '_blank';
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/**
 * Puts a channel's QR picture where the owner can print or share it. weapp: downloaded, then into
 * the photo album (WeChat asks for the album permission the first time; the picture's host must
 * be a downloadFile domain of the mini program). H5: a download link; the picture is fetched
 * first so `download` names the file even where the picture lives on another host, and when that
 * fetch is not allowed the link opens the picture itself (long-press saves it on a phone).
 */
export async function saveQr(url: string, name: string): Promise<'album' | 'downloaded'> {
  const filename = `${name.replace(/[\\/:*?"<>|\s]+/g, '_')}-活码.png`;
  if (process.env.TARO_ENV === 'weapp') {
    let tempFilePath: string;
    try {
      const res = await Taro.downloadFile({ url });
      if (res.statusCode !== 200) throw new Error(String(res.statusCode));
      tempFilePath = res.tempFilePath;
    } catch {
      throw new SaveQrError('二维码没下载下来，请检查网络后再试');
    }
    try {
      await Taro.saveImageToPhotosAlbum({ filePath: tempFilePath });
    } catch {
      throw new SaveQrError('没能存进相册：请在右上角「设置」里允许保存到相册，再试一次');
    }
    return 'album';
  }
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(String(res.status));
    const blobUrl = URL.createObjectURL(await res.blob());
    clickDownload(blobUrl, filename);
    setTimeout(() => URL.revokeObjectURL(blobUrl), 0);
  } catch {
    clickDownload(url, filename);
  }
  return 'downloaded';
}
