import type { PropsWithChildren } from 'react';
import Taro, { useLaunch } from '@tarojs/taro';
import './app.scss';

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    // Only the mini-program talks to CloudBase; H5 calls same-origin /fn/<name>.
    if (process.env.TARO_ENV === 'weapp') {
      Taro.cloud.init(CLOUD_ENV ? { env: CLOUD_ENV, traceUser: true } : { traceUser: true });
    }
  });
  return children;
}

export default App;
