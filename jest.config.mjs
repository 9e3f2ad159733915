// Jest runs the unit tests of the plain-TypeScript models (tests/js) with
// ts-jest; the editor's React views are covered by the browser tests.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/js'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }]
  }
};
