/**
 * The fast lane's jest (`npm run test:fast`): the backend `unit` project of jest.config.js (unit
 * tests, storage contracts on SQLite and the CloudBase double) and the app's jsdom tests
 * (miniprogram/jest.config.js), in one run so the workers stay busy.
 */
const backend = require('./jest.config.js');

module.exports = {
  testTimeout: backend.testTimeout,
  projects: [backend.projects.find((p) => p.displayName === 'unit'), '<rootDir>/miniprogram/jest.config.js'],
};
