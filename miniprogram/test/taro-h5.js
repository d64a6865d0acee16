// @tarojs/taro for jest: Taro's H5 API layer plus the React hooks (useLoad, usePullDownRefresh…)
// that plugin-framework-react injects into a real build.
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import taro, * as apis from '@tarojs/plugin-platform-h5/dist/runtime/apis';
import * as runtime from '@tarojs/plugin-framework-react/dist/runtime';

export * from '@tarojs/plugin-platform-h5/dist/runtime/apis';
export * from '@tarojs/plugin-framework-react/dist/runtime';

// Fills the React slot Taro's hooks read (else "React.useContext is not a function").
runtime.createH5NativeComponentConfig(null, React, ReactDOM);
// As in a real H5 build, the default export carries every API (Taro.getStorageSync…) and hook.
for (const [k, v] of Object.entries({ ...apis, ...runtime })) if (k !== 'default' && !(k in taro)) taro[k] = v;
export default taro;
