// Syntax check of PowerShell scripts without PowerShell: parses each file with the tree-sitter PowerShell grammar
// (WebAssembly, no native build) and prints every error or missing token with its line and column.
// Usage: node lint.mjs FILE...   Exit: 0 when every file parses cleanly, 1 when not, 2 on bad usage.
import { Parser, Language } from 'web-tree-sitter';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node lint.mjs FILE...');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
await Parser.init();
const grammar = await Language.load(path.join(here, 'node_modules/tree-sitter-powershell/tree-sitter-powershell.wasm'));
const parser = new Parser();
parser.setLanguage(grammar);

let failed = false;
for (const file of files) {
  const tree = parser.parse(fs.readFileSync(file, 'utf8'));
  const problems = [];
  const walk = (node) => {
    if (node.isError || node.isMissing) {
      const at = `${file}:${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
      problems.push(node.isMissing ? `${at}: missing ${node.type}`
                                   : `${at}: cannot parse ${JSON.stringify(node.text.slice(0, 60))}`);
      return;
    }
    for (const child of node.children) {
      walk(child);
    }
  };
  walk(tree.rootNode);
  if (problems.length > 0 || tree.rootNode.hasError) {
    failed = true;
    console.log(problems.length > 0 ? problems.join('\n') : `${file}: does not parse`);
  } else {
    console.log(`${file}: ok`);
  }
}
process.exit(failed ? 1 : 0);
