/**
 * Jest test environment: jest's node environment with a plain global object in the test context.
 *
 * jest runs each test file in a `vm` context. By default `vm.createContext()` backs the context's
 * global object with interceptors, so every global name a test or the code under test reads
 * (`Math`, `JSON`, `Date`, `Number`, `Map`, …) is a slow interceptor call that the JIT cannot
 * inline: a loop calling `Math.imul` ran ~80x slower in a test than in Node (the simulator's PRNG,
 * the archive's FNV hash). Node 22.8+ creates a context without them
 * (`vm.constants.DONT_CONTEXTIFY`); jest 29 has no option for it, so this environment hands jest's
 * constructor that kind of context. On an older Node it is jest's environment unchanged.
 */
'use strict';
const vm = require('node:vm');
const { TestEnvironment } = require('jest-environment-node');

const DONT_CONTEXTIFY = vm.constants?.DONT_CONTEXTIFY;

class PlainGlobalNodeEnvironment extends TestEnvironment {
  constructor(config, context) {
    if (DONT_CONTEXTIFY === undefined) {
      super(config, context);
      return;
    }
    // jest-environment-node calls `vm.createContext()` once, in its constructor.
    const createContext = vm.createContext;
    vm.createContext = (contextObject, options) =>
      createContext(contextObject === undefined ? DONT_CONTEXTIFY : contextObject, options);
    try {
      super(config, context);
    } finally {
      vm.createContext = createContext;
    }
  }
}

module.exports = PlainGlobalNodeEnvironment;
