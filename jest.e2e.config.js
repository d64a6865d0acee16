/** Browser tests: the real host process, the built H5 app, Debian's Chromium. Run after the H5 build. */
const { projects } = require('./jest.config.js');

const { displayName, testPathIgnorePatterns, ...base } = projects[0];
module.exports = { ...base, roots: ['<rootDir>/e2e'], testMatch: ['**/*.e2e.test.ts'], testTimeout: 180000 };
