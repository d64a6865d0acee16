// Taro's preset: used by the weapp and h5 builds (jest has its own inline babel config).
//
// weapp: WeChat runs the package as uploaded (project.config.json keeps es6/enhance off, so
// DevTools adds no second transpile of its own); the code must therefore already be ES2017, the
// language of the JavaScriptCore/V8 engines inside the WeChat versions owners have (iOS 11+,
// Android WebView 61+). `?.`, `??`, object spread and class fields are lowered here, in our
// sources and in the dependencies config/index.ts hands to babel (e2e/weapp-syntax checks the
// output). h5 keeps the browserslist in package.json (current browsers).
const weapp = process.env.TARO_ENV === 'weapp';

module.exports = {
  presets: [['taro', { framework: 'react', ts: true, compiler: 'webpack5', ...(weapp ? { targets: { ios: '11', chrome: '61' } } : {}) }]],
};
