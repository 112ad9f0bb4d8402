#!/usr/bin/env node
// Launcher for the `nhi-watch` command (package.json "bin"): runs bin/cli.ts through tsx's
// CommonJS loader, so the installed command and `npm start` run the same TypeScript.
'use strict';
require('tsx/cjs');
const { main } = require('./cli.ts');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`nhi-watch: ${error && error.stack ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
