/**
 * Jest transformer: TypeScript (and the ESM packages jest must load as CommonJS) compiled by esbuild,
 * the compiler the Lambda bundles are built with. It only transpiles, as ts-jest did here
 * (isolatedModules): types are checked by `npx tsc --noEmit`. ts-jest took a few hundred
 * milliseconds per file on a cold cache (every CI run); esbuild takes a few.
 */
'use strict';
const { createHash } = require('node:crypto');
const { transformSync, version } = require('esbuild');

const OPTIONS = {
  format: 'cjs',
  target: 'node22',
  platform: 'node',
  sourcemap: 'external',
  sourcesContent: false,
  keepNames: true,
  // `await import(x)` as TypeScript's CommonJS output has it: a require, so jest's module registry loads it.
  supported: { 'dynamic-import': false },
  tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, verbatimModuleSyntax: false } },
};
const CONFIG_KEY = `${version}:${JSON.stringify(OPTIONS)}`;

const loaderOf = (path) => (path.endsWith('.ts') ? 'ts' : 'js');

module.exports = {
  canInstrument: false,
  getCacheKey(sourceText, sourcePath) {
    return createHash('sha256')
      .update(CONFIG_KEY)
      .update('\0')
      .update(sourcePath)
      .update('\0')
      .update(sourceText)
      .digest('hex');
  },
  process(sourceText, sourcePath) {
    const { code, map } = transformSync(sourceText, {
      ...OPTIONS,
      loader: loaderOf(sourcePath),
      sourcefile: sourcePath,
    });
    return { code, map };
  },
};
