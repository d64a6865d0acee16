/**
 * The page a browser gets when a login link does not work (used, expired, mistyped). It is the
 * first thing a new owner or staff member may see, on a phone: a styled, phone-sized card that
 * says what happened and how to get in, in the app's colours — not a bare line of text.
 */
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function badLoginLinkPage(message: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>登录链接用不了 · 店小二</title>
<style>
  body { margin: 0; background: #f5f6f8; color: #1f2329; font: 15px/1.6 -apple-system, BlinkMacSystemFont, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif; }
  main { box-sizing: border-box; max-width: 420px; margin: 0 auto; padding: 56px 20px; }
  .card { background: #fff; border-radius: 12px; padding: 24px 20px; }
  h1 { margin: 0 0 12px; font-size: 19px; }
  p { margin: 0 0 12px; color: #6b7280; }
  .brand { margin-bottom: 16px; color: #e0502d; font-weight: 600; }
  .how { margin-top: 16px; padding-top: 16px; border-top: 1px solid #eceef1; }
  .how p { margin-bottom: 6px; }
  b { color: #1f2329; }
</style>
</head>
<body>
<main>
  <div class="brand">店小二</div>
  <div class="card">
    <h1>这个登录链接用不了</h1>
    <p class="message">${escapeHtml(message)}</p>
    <div class="how">
      <p><b>店员：</b>请老板在「我的 → 店员和邀请码」里重新生成一个邀请链接发给你。</p>
      <p><b>老板：</b>在电脑上运行 npm start，打开它最后打印出来的登录链接。</p>
    </div>
  </div>
</main>
</body>
</html>`;
}
