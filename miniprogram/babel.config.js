// Taro's preset: used by the weapp and h5 builds (jest has its own inline babel config).
module.exports = {
  presets: [['taro', { framework: 'react', ts: true, compiler: 'webpack5' }]],
};
