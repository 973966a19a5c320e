// Parses every LogQL query the repository ships with Grafana's own LogQL grammar
// (@grafana/lezer-logql) and fails on every one Grafana would not parse: the ```logql blocks of
// every *.md, every *.logql file, the Loki targets of deploy/grafana/airflow-logs.json and the
// `expr` of deploy/loki/rules/airflow.yaml. Template variables are replaced by sample values first
// (substitute_variables). tests/kit/ holds the checks' own fixtures (some wrong on purpose): skipped.
//
//   node tools/logql_check.mjs DIR_WITH_NODE_MODULES REPO_ROOT
//
// The module also exports what tools/grafana_kit_check.mjs builds on: finding the queries of the
// kit's files, substituting variables, parsing, and walking the syntax tree.
//
// In a ```logql block, queries are separated by blank lines; lines starting with '#' are comments.
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const DASHBOARD = "deploy/grafana/airflow-logs.json";
export const RULES = "deploy/loki/rules/airflow.yaml";
export const COOKBOOK = "docs/logql.md";

export function load_parser(modulesDir) {
  const require = createRequire(join(resolve(modulesDir), "package.json"));
  return require("@grafana/lezer-logql").parser;
}

// ---------------------------------------------------------------------------------------------
// Where the queries are.

/** Every *.md and *.logql below root, except build trees, node_modules, dot dirs and tests/kit. */
export function* query_files(root, dir = root) {
  for (const name of readdirSync(dir).sort()) {
    if (name === "build" || name === "node_modules" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (relative(root, p) === join("tests", "kit")) continue;
    if (statSync(p).isDirectory()) yield* query_files(root, p);
    else if (name.endsWith(".md") || name.endsWith(".logql")) yield p;
  }
}

/**
 * The queries of a markdown or .logql file: {line, query, heading}. `heading` is the text of the
 * nearest markdown heading above the block ("" when none).
 */
export function* markdown_queries(path) {
  const text = readFileSync(path, "utf8");
  if (path.endsWith(".logql")) {
    yield { line: 1, query: text.trim(), heading: "" };
    return;
  }
  const lines = text.split("\n");
  let inBlock = false, inOther = false, start = 0, buf = [], heading = "";
  const flush = function* () {
    const q = buf.join("\n").trim();
    if (q) yield { line: start, query: q, heading };
    buf = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (!inBlock && /^\s*```/.test(l)) {
      if (inOther) { inOther = false; continue; }
      if (/^\s*```logql\s*$/.test(l)) inBlock = true;
      else inOther = true;
      continue;
    }
    if (inOther) continue;
    if (!inBlock) {
      const h = /^#{1,6}\s+(.*)$/.exec(l);
      if (h) heading = h[1].trim();
      continue;
    }
    if (/^\s*```\s*$/.test(l)) { yield* flush(); inBlock = false; continue; }
    if (l.trim() === "") { yield* flush(); continue; }
    if (l.trim().startsWith("#")) continue;
    if (buf.length === 0) start = i + 1;
    buf.push(l);
  }
}

/** Every panel of a dashboard, with the panels of (collapsed) rows: {panel, row}. */
export function* dashboard_panels(dashboard) {
  for (const p of dashboard.panels ?? []) {
    yield { panel: p, row: null };
    for (const c of p.panels ?? []) yield { panel: c, row: p };
  }
}

/** The datasource a target queries: its own, else its panel's ({type, uid} or a string). */
export function target_datasource(panel, target) {
  const ds = target.datasource ?? panel.datasource;
  if (typeof ds === "string") return { uid: ds };
  return ds ?? null;
}

/** The names of a dashboard's datasource variables that select Loki. */
export function loki_datasource_variables(dashboard) {
  return new Set((dashboard.templating?.list ?? [])
    .filter((v) => v.type === "datasource" && v.query === "loki").map((v) => v.name));
}

/** The variable a datasource reference names ("$ds", "${ds}", "[[ds]]"), or null. */
export function datasource_variable(ds) {
  const m = /^\$\{?(\w+)\}?$|^\[\[(\w+)\]\]$/.exec(ds?.uid ?? "");
  return m ? (m[1] ?? m[2]) : null;
}

/** Whether a target is a Loki (LogQL) one: a loki datasource type or a loki datasource variable. */
export function is_loki_target(dashboard, panel, target) {
  const ds = target_datasource(panel, target);
  if (!ds) return false;
  if (ds.type) return ds.type === "loki";
  return loki_datasource_variables(dashboard).has(datasource_variable(ds));
}

/** The LogQL expressions of a dashboard: {where, query, panel, target}. */
export function* dashboard_queries(dashboard) {
  for (const { panel, row } of dashboard_panels(dashboard)) {
    for (const t of panel.targets ?? []) {
      if (typeof t.expr !== "string" || !is_loki_target(dashboard, panel, t)) continue;
      const title = (row ? `${row.title} / ` : "") + (panel.title ?? `id ${panel.id}`);
      yield { where: `panel "${title}" target ${t.refId ?? "?"}`, query: t.expr, panel, target: t };
    }
  }
}

/** YAML to a JS value through python3-yaml (tools/install-deps.sh installs it). */
export function read_yaml(path) {
  const py = "import json,sys,yaml; json.dump(yaml.safe_load(open(sys.argv[1], encoding='utf-8')), sys.stdout, default=str)";
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", py, path], { encoding: "utf8" }));
}

/** The line of a YAML file on which `expr` of the n-th rule starts (best effort, for messages). */
function rule_lines(text) {
  const out = [];
  text.split("\n").forEach((l, i) => { if (/^\s*(-\s+)?expr\s*:/.test(l)) out.push(i + 1); });
  return out;
}

/** The rules of a rules file: {where, query, rule, group}. */
export function* rules_queries(path, doc) {
  const lines = rule_lines(readFileSync(path, "utf8"));
  let n = 0;
  for (const g of Array.isArray(doc?.groups) ? doc.groups : []) {
    for (const r of Array.isArray(g?.rules) ? g.rules : []) {
      if (typeof r?.expr !== "string") continue;
      const name = r.alert ? `alert ${r.alert}` : r.record ? `record ${r.record}` : "rule";
      yield { where: `line ${lines[n++] ?? "?"} (${name})`, query: r.expr, rule: r, group: g };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Template variables.

export const TIME_VARIABLES = new Set(["__auto", "__interval", "__range", "__rate_interval"]);
const VARIABLE = /\$\{(\w+)(?::[\w-]+)?\}|\$(\w+)|\[\[(\w+)(?::[\w-]+)?\]\]/g;

/** Every template variable a text uses (names only, without `$`). */
export function variables_in(text) {
  return [...String(text).matchAll(VARIABLE)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/**
 * Replaces Grafana template variables by sample values so the grammar sees a real query:
 * $__auto/$__interval/$__range/$__rate_interval → 5m; inside a regex string (after =~, !~, |~)
 * any other variable → `.*`; elsewhere → `sample` ("airflow"). $datasource is never in a query.
 */
export function substitute_variables(query, sample = "airflow") {
  let out = "", i = 0;
  const put = (text, regex) => text.replace(VARIABLE, (_, a, b, c) => {
    const name = a ?? b ?? c;
    if (TIME_VARIABLES.has(name)) return "5m";
    return regex ? ".*" : sample;
  });
  // Walk the string literals: "…" with escapes, `…` raw.
  const lit = /"(?:[^"\\]|\\.)*"|`[^`]*`/g;
  let m;
  while ((m = lit.exec(query))) {
    out += put(query.slice(i, m.index), false);
    const before = query.slice(0, m.index).trimEnd();
    const regex = /(=~|!~|\|~)$/.test(before) || /(=~|!~|\|~)\s*"(?:[^"\\]|\\.)*"\s*or$/.test(before);
    out += put(m[0], regex);
    i = m.index + m[0].length;
  }
  return out + put(query.slice(i), false);
}

// ---------------------------------------------------------------------------------------------
// Parsing.

/** The first error node of a parse, as {offset, context}, or null when the query parses. */
export function parse_error(parser, query) {
  const tree = parser.parse(query);
  let bad = null;
  tree.iterate({ enter: (n) => { if (n.type.isError && bad === null) bad = n.from; } });
  if (bad === null) return null;
  return { offset: bad, context: query.slice(Math.max(0, bad - 20), bad + 20) };
}

/** The kit's queries found under root, each {file, where, query, kind, ...}; absent files listed. */
export function kit_queries(root, { markdown = true } = {}) {
  const out = [], absent = [], problems = [];
  if (markdown) {
    for (const f of query_files(root)) {
      for (const q of markdown_queries(f)) out.push({ file: relative(root, f), where: `line ${q.line}`, kind: "markdown", ...q });
    }
  }
  const dash = join(root, DASHBOARD);
  if (existsSync(dash)) {
    let doc = null;
    try { doc = JSON.parse(readFileSync(dash, "utf8")); } catch (e) { problems.push(`${DASHBOARD}: not valid JSON: ${e.message}`); }
    if (doc) for (const q of dashboard_queries(doc)) out.push({ file: DASHBOARD, kind: "dashboard", ...q });
  } else absent.push(DASHBOARD);
  const rules = join(root, RULES);
  if (existsSync(rules)) {
    let doc = null;
    try { doc = read_yaml(rules); } catch (e) { problems.push(`${RULES}: not valid YAML: ${String(e.stderr || e.message).trim().split("\n").pop()}`); }
    if (doc) for (const q of rules_queries(rules, doc)) out.push({ file: RULES, kind: "rule", ...q });
  } else absent.push(RULES);
  return { queries: out, absent, problems };
}

// ---------------------------------------------------------------------------------------------
// The parse check (ctest LogQLQueries).

function main() {
  const [modulesDir, root] = process.argv.slice(2);
  const parser = load_parser(modulesDir);
  const { queries, absent, problems } = kit_queries(resolve(root));
  for (const a of absent) console.log(`logql_check: ${a} absent, skipped`);
  for (const p of problems) console.error(`logql_check: ${p}`);
  let failed = problems.length;
  for (const q of queries) {
    const err = parse_error(parser, substitute_variables(q.query));
    if (err) {
      failed++;
      console.error(`${q.file}:${q.where}: LogQL does not parse at offset ${err.offset}: ${err.context}\n  ${q.query}`);
    }
  }
  console.log(`logql_check: ${queries.length} queries, ${failed} rejected`);
  if (queries.length === 0) { console.error("logql_check: no query found"); process.exit(1); }
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
