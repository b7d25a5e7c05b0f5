// ESM TypeScript tests through ts-jest. Two projects: unit (mocks allowed, no Docker) and e2e
// (the bundled dist/index.js against a real Docker engine: DOCKER_HOST's, else the default socket;
// run `bash scripts/setup-docker.sh` first).
const common = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] }
}

export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'],
      // a temp directory of their own, removed afterwards
      globalSetup: '<rootDir>/__tests__/unit/global-setup.ts',
      globalTeardown: '<rootDir>/__tests__/unit/global-teardown.ts'
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/__tests__/e2e/global-setup.ts',
      globalTeardown: '<rootDir>/__tests__/e2e/global-teardown.ts'
    },
    // stops the Docker daemon whose pid file IMAGE_GATE_FAULT_PIDFILE names (skipped without it): run
    // on its own, after the others (scripts/test.sh)
    {
      ...common,
      displayName: 'fault',
      testMatch: ['<rootDir>/__tests__/fault/**/*.test.ts'],
      globalSetup: '<rootDir>/__tests__/e2e/global-setup.ts',
      globalTeardown: '<rootDir>/__tests__/e2e/global-teardown.ts'
    }
  ]
}
