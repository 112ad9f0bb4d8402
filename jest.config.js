/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/test/support/node-environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.[tj]s$': '<rootDir>/test/support/esbuild-transform.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!(@middy|fauxqs)/)'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // Hooks start DynamoDB Local (a JVM) and fauxqs: on a loaded 2-core machine that alone has passed 60 s.
  testTimeout: 120000,
  // Both cores: the suites are CPU-bound and the local servers are separate processes (npm test 427 s → 263 s on a quiet 2-core machine).
  maxWorkers: 2,
  // A worker keeps what a suite leaves on its heap (the default simulation's 205k events stayed ~800 MB
  // after simulate-replay), and every later suite on it pays for that in garbage collection: the CDK
  // suites took 5x their CPU time (identity-access-logging 6 s alone, 29-38 s after the simulator
  // suites). A worker whose heap exceeds this after a suite is replaced by a fresh one (about a second).
  workerIdleMemoryLimit: '512MB',
  // The slowest suites first, so none starts last on one worker while the other waits (a fresh clone has no timings).
  testSequencer: '<rootDir>/test/support/slow-first-sequencer.js',
};
