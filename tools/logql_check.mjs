// Parses every LogQL query the repository ships — the ```logql blocks of docs/*.md and every
// *.logql file — with Grafana's own LogQL grammar (@grafana/lezer-logql) and fails on the first
// one Grafana would not parse.
//
//   node tools/logql_check.mjs DIR_WITH_NODE_MODULES REPO_ROOT
//
// In a ```logql block, queries are separated by blank lines; lines starting with '#' are comments.
import { createRequire } from "node:module";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const [modulesDir, root] = process.argv.slice(2);
const require = createRequire(join(resolve(modulesDir), "package.json"));
const { parser } = require("@grafana/lezer-logql");

function* files(dir) {
  for (const name of readdirSync(dir)) {
    if (name === "build" || name === "node_modules" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (name.endsWith(".md") || name.endsWith(".logql")) yield p;
  }
}

function* queries(path) {
  const text = readFileSync(path, "utf8");
  if (path.endsWith(".logql")) {
    yield { line: 1, query: text.trim() };
    return;
  }
  const lines = text.split("\n");
  let inBlock = false, start = 0, buf = [];
  const flush = function* () {
    const q = buf.join("\n").trim();
    if (q) yield { line: start, query: q };
    buf = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (!inBlock && /^```logql\s*$/.test(l)) { inBlock = true; continue; }
    if (inBlock && /^```\s*$/.test(l)) { yield* flush(); inBlock = false; continue; }
    if (!inBlock) continue;
    if (l.trim() === "") { yield* flush(); continue; }
    if (l.trim().startsWith("#")) continue;
    if (buf.length === 0) start = i + 1;
    buf.push(l);
  }
}

let checked = 0, failed = 0;
for (const f of files(root)) {
  for (const { line, query } of queries(f)) {
    checked++;
    const tree = parser.parse(query);
    let bad = null;
    tree.iterate({ enter: (n) => { if (n.type.isError && bad === null) bad = n.from; } });
    if (bad !== null) {
      failed++;
      console.error(`${relative(root, f)}:${line}: LogQL does not parse at offset ${bad}: ${query.slice(Math.max(0, bad - 20), bad + 20)}\n  ${query}`);
    }
  }
}
console.log(`logql_check: ${checked} queries, ${failed} rejected`);
if (checked === 0) { console.error("logql_check: no query found"); process.exit(1); }
process.exit(failed ? 1 : 0);
