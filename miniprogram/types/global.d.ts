/// <reference types="@tarojs/taro" />

declare module '*.png';
declare module '*.css';
declare module '*.scss';

/** From defineConstants in config/index.ts: the CloudBase env id ('' = default environment). */
declare const CLOUD_ENV: string;

declare namespace NodeJS {
  interface ProcessEnv {
    NODE_ENV: 'development' | 'production' | 'test';
    /** Inlined by Taro at build time; the dead branch is removed. */
    TARO_ENV: 'weapp' | 'h5' | 'swan' | 'alipay' | 'tt' | 'qq' | 'jd' | 'rn' | 'harmony' | 'jdrn';
    TARO_APP_ID?: string;
    TARO_APP_CLOUD_ENV?: string;
  }
}
