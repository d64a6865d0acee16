/** Backend and domain tests. The app has its own jest config in miniprogram/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/shared', '<rootDir>/cloudfunctions', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  moduleNameMapper: { '^@xiaoer/shared/(.*)$': '<rootDir>/shared/src/$1', '^@xiaoer/shared$': '<rootDir>/shared/src/index.ts' },
  testTimeout: 30000,
};
