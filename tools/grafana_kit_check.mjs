// Checks the Grafana kit (issue 10) against what airlog really writes to Loki.
//
//   node tools/grafana_kit_check.mjs --modules DIR --cli AIRLOG --kit ROOT --part static|real
//        [--real-logs DIR] [--golden DIR] [--fields HEADER]
//
// ROOT is the repository (or a fixture kit of the same layout, tests/kit/*): *.md (```logql
// blocks), deploy/grafana/airflow-logs.json, deploy/loki/rules/airflow.yaml. A kit file that is
// absent is reported and skipped; one that is present is checked in full.
//
// --part static (ctest GrafanaKitStatic)
//   1. every LogQL expression parses with @grafana/lezer-logql (variables substituted first);
//   2. every name a query uses — stream selector labels, label filters, `by`/`without`/`on`
//      labels, unwrap, keep/drop — is one airlog emits or an agent's usual label. The names are
//      computed: `airlog parse --output loki-json` over corpus/golden (and the real logs when
//      present), once with the default labels and once with every field allowed as a label,
//      plus the label/metadata rows of include/airlog/fields.hpp. A stream selector may only use
//      airlog's default stream labels and agent labels (a metadata name there selects nothing);
//      a `| json` stage adds the keys of the contract JSON line;
//   3. the rules file has the Loki ruler's structure;
//   4. the dashboard: ids, grid, variables, datasources.
// --part real (ctest GrafanaKitRealLogs; exit 77 when the real logs are absent)
//   5. every alert's log queries and every query under a "fail" heading of docs/logql.md selects
//      at least one entry of `airlog parse --output loki-json` over the real logs, by a small
//      evaluator of selectors, label filters and line filters (not a LogQL engine; see evaluate).
//      Line filters test the entry's "message" (the event's text; the CLI's line is the
//      contract JSON, airlog serve's default line is the original text, and both contain it).
//      A query that selects nothing in the real logs may still pass on the synthetic golden
//      corpus (corpus/golden: zombies and HTTP errors do not occur in the real logs); it is
//      then named in a NOTE.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  COOKBOOK, DASHBOARD, RULES, dashboard_panels, datasource_variable, kit_queries,
  load_parser, loki_datasource_variables, parse_error, read_yaml, substitute_variables,
  target_datasource, variables_in,
} from "./logql_check.mjs";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// Labels an agent (Alloy, Promtail, Fluent Bit, Vector, the OTLP endpoint) usually sets.
const AGENT_LABELS = ["namespace", "pod", "container", "job", "filename", "cluster", "node", "app",
  "instance", "service_name", "host", "stream"];
const LOGQL_LABELS = ["__error__", "__error_details__"];
const ALL_LABEL_FIELDS = "component,level,format,dag_id,task_id,event,state,stream,logger";
// A `=` matcher whose value was a template variable matches any value when evaluating.
const ANY = "__airlog_kit_any__";

function args() {
  const a = { part: "static" };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, "").replace(/-/g, "_");
    if (argv[i + 1] === undefined) usage(`${argv[i]} needs a value`);
    a[k] = argv[i + 1];
  }
  if (!a.modules || !a.cli || !a.kit) usage("--modules, --cli and --kit are required");
  if (!["static", "real"].includes(a.part)) usage(`unknown --part ${a.part}`);
  a.kit = resolve(a.kit);
  a.real_logs = resolve(a.real_logs ?? join(REPO, "..", "shared", "real-logs"));
  a.golden = resolve(a.golden ?? join(REPO, "corpus", "golden"));
  a.fields = resolve(a.fields ?? join(REPO, "include", "airlog", "fields.hpp"));
  return a;
}

function usage(msg) {
  console.error(`grafana_kit_check: ${msg}\nusage: node grafana_kit_check.mjs --modules DIR --cli AIRLOG --kit ROOT --part static|real [--real-logs DIR] [--golden DIR]`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// What airlog writes: entries and names, from the CLI.

function log_files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => n.endsWith(".log")).sort().map((n) => join(dir, n));
}

/** The entries of `airlog parse --output loki-json`: {labels, meta, line, message, source}. */
function loki_entries(cli, files, extra = [], source = "") {
  if (files.length === 0) return [];
  const out = execFileSync(cli, ["parse", "--output", "loki-json", ...extra, ...files],
    { encoding: "utf8", maxBuffer: 1 << 30 });
  const entries = [];
  for (const body of out.split("\n")) {
    if (!body) continue;
    for (const s of JSON.parse(body).streams) {
      for (const [, line, meta] of s.values) {
        const obj = JSON.parse(line);
        entries.push({ labels: s.stream, meta: meta ?? {}, line: obj, message: String(obj.message ?? ""), source });
      }
    }
  }
  return entries;
}

function flatten(obj, prefix, into) {
  for (const [k, v] of Object.entries(obj)) {
    const key = (prefix ? `${prefix}_` : "") + k.replace(/[^A-Za-z0-9_]/g, "_");
    if (v && typeof v === "object" && !Array.isArray(v)) flatten(v, key, into);
    else into[key] = v === null ? "" : typeof v === "string" ? v : JSON.stringify(v);
  }
  return into;
}

/** The names airlog emits, computed from the CLI's output and fields.hpp's table. */
function emitted_names(a) {
  const files = [...log_files(a.golden), ...log_files(a.real_logs)];
  const streamLabels = new Set(), anyName = new Set(), lineKeys = new Set();
  for (const e of loki_entries(a.cli, files)) {
    Object.keys(e.labels).forEach((k) => streamLabels.add(k));
    Object.keys(e.meta).forEach((k) => anyName.add(k));
    Object.keys(flatten(e.line, "", {})).forEach((k) => lineKeys.add(k));
  }
  for (const e of loki_entries(a.cli, files, ["--loki-labels", ALL_LABEL_FIELDS])) {
    Object.keys(e.labels).forEach((k) => anyName.add(k));
  }
  // A line past Loki's line size limit: the metadata a cut entry carries.
  const long = `2024-01-01T00:00:00.000+0000 {taskinstance.py:1} ERROR - ${"x".repeat(300000)}\n`;
  const cut = execFileSync(a.cli, ["parse", "--output", "loki-json", "-"], { input: long, encoding: "utf8", maxBuffer: 1 << 28 });
  for (const body of cut.split("\n").filter(Boolean)) {
    for (const s of JSON.parse(body).streams) for (const v of s.values) Object.keys(v[2] ?? {}).forEach((k) => anyName.add(k));
  }
  if (existsSync(a.fields)) {
    for (const m of readFileSync(a.fields, "utf8").matchAll(/FieldRow\{"(\w+)",\s*"[^"]*",\s*([^,]+),/g)) {
      if (/\bk(Label|Meta|LokiMetadata|LokiLabel)\b/.test(m[2])) anyName.add(m[1]);
    }
  }
  streamLabels.forEach((k) => anyName.add(k));
  return { streamLabels, anyName, lineKeys };
}

// ---------------------------------------------------------------------------------------------
// The syntax tree.

/** A node and all its descendants, in document order (a cursor's next() would leave the subtree). */
function* nodes(node) {
  yield node;
  for (let c = node.firstChild; c; c = c.nextSibling) yield* nodes(c);
}
const children = (node) => { const out = []; for (let c = node.firstChild; c; c = c.nextSibling) out.push(c); return out; };
const child = (node, name) => children(node).find((c) => c.name === name) ?? null;
const has_ancestor = (node, name) => { for (let p = node.parent; p; p = p.parent) if (p.name === name) return true; return false; };

/** A LogQL string literal's value. */
function string_value(text) {
  if (text.startsWith("`")) return text.slice(1, -1);
  try { return JSON.parse(text); } catch { return text.slice(1, -1); }
}

// ---------------------------------------------------------------------------------------------
// Check 2: names.

function check_names(tree, text, names) {
  const t = (n) => text.slice(n.from, n.to);
  const defined = new Set();
  let parsesLine = false;
  const uses = [];
  for (const n of nodes(tree.topNode)) {
    switch (n.name) {
      case "LabelParser": {
        const kind = n.firstChild?.name;
        if (kind === "Json" || kind === "Logfmt" || kind === "Unpack") parsesLine = true;
        const s = child(n, "String");
        if (s && kind === "Regexp") for (const m of string_value(t(s)).matchAll(/\(\?P?<(\w+)>/g)) defined.add(m[1]);
        if (s && kind === "Pattern") for (const m of string_value(t(s)).matchAll(/<(\w+)>/g)) defined.add(m[1]);
        break;
      }
      case "LogfmtParser": parsesLine = true; break;
      case "LabelExtractionExpression": defined.add(t(n.firstChild)); break;
      case "LabelFormatMatcher": {
        const [dst, src] = children(n).filter((c) => c.name === "Identifier");
        defined.add(t(dst));
        if (src) uses.push({ name: t(src), where: "label_format" });
        break;
      }
      case "LabelReplaceExpr": { const s = child(n, "String"); if (s) defined.add(string_value(t(s))); break; }
      case "Matcher": {
        const id = child(n, "Identifier");
        if (!id) break;
        if (has_ancestor(n, "Selector")) uses.push({ name: t(id), where: "stream selector", selector: true });
        else uses.push({ name: t(id), where: has_ancestor(n, "DropLabel") ? "drop" : "label filter" });
        break;
      }
      case "NumberFilter": case "DurationFilter": case "BytesFilter": case "IpLabelFilter": {
        const id = child(n, "Identifier"); if (id) uses.push({ name: t(id), where: "label filter" }); break;
      }
      case "Grouping": { const l = child(n, "Labels"); if (l) for (const id of nodes(l)) if (id.name === "Identifier") uses.push({ name: t(id), where: "grouping" }); break; }
      case "GroupingLabel": { const l = child(n, "LabelName"); if (l) uses.push({ name: t(l), where: "on/ignoring" }); break; }
      case "UnwrapExpr": for (const id of nodes(n)) if (id.name === "Identifier") uses.push({ name: t(id), where: "unwrap" }); break;
      case "DropLabel": case "KeepLabel": { const id = child(n, "Identifier"); if (id) uses.push({ name: t(id), where: n.name === "KeepLabel" ? "keep" : "drop" }); break; }
    }
  }
  const errors = [];
  for (const u of uses) {
    if (u.selector) {
      if (names.streamLabels.has(u.name) || AGENT_LABELS.includes(u.name)) continue;
      if (names.anyName.has(u.name)) {
        errors.push(`"${u.name}" in a stream selector is structured metadata under airlog's default labels (${[...names.streamLabels].sort().join(", ")}): filter it after the selector with | ${u.name}="…"`);
      } else errors.push(`"${u.name}" in a stream selector is no label airlog or an agent sets`);
      continue;
    }
    if (names.anyName.has(u.name) || AGENT_LABELS.includes(u.name) || LOGQL_LABELS.includes(u.name) || defined.has(u.name)) continue;
    if (parsesLine && names.lineKeys.has(u.name)) continue;
    errors.push(`"${u.name}" (${u.where}) is no label or structured-metadata name airlog emits` +
      (parsesLine ? " nor a key of its JSON line" : "") + " nor an agent label");
  }
  return [...new Set(errors)];
}

// ---------------------------------------------------------------------------------------------
// Check 3: the rules file.

const DURATION = /^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const GROUP_KEYS = new Set(["name", "interval", "limit", "rules", "query_offset"]);
const RULE_KEYS = new Set(["alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"]);

function is_duration(v) { return typeof v === "string" && v !== "" && DURATION.test(v); }
const is_map = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** The labels a metric expression's result keeps, when it is simply known (else null). */
function result_labels(parser, expr) {
  const tree = parser.parse(expr);
  let n = tree.topNode.firstChild?.firstChild; // LogQL > Expr > MetricExpr
  for (;;) {
    if (!n) return null;
    if (n.name === "MetricExpr" || n.name === "Expr") { n = n.firstChild; continue; }
    if (n.name === "BinOpExpr") {
      // `X > 3`: the left side's labels, when the right side is a literal.
      const sides = children(n).filter((c) => c.name === "Expr");
      const lit = sides[1] && /^\s*[-+]?[\d.]+\s*$/.test(expr.slice(sides[1].from, sides[1].to));
      if (!lit) return null;
      n = sides[0]; continue;
    }
    if (n.name === "VectorAggregationExpr") {
      const op = n.firstChild?.firstChild?.name;
      if (op === "Topk" || op === "Bottomk" || op === "Sort" || op === "Sort_Desc") {
        n = children(n).filter((c) => c.name === "MetricExpr").pop(); continue;
      }
      const g = child(n, "Grouping");
      if (!g) return new Set();
      if (child(g, "Without")) return null;
      return new Set([...nodes(g)].filter((c) => c.name === "Identifier").map((c) => expr.slice(c.from, c.to)));
    }
    return null;
  }
}

function check_rules(doc, parser) {
  const errors = [];
  if (!is_map(doc) || !Array.isArray(doc.groups)) return ["the file needs a top-level `groups` list"];
  for (const k of Object.keys(doc)) if (k !== "groups") errors.push(`unknown top-level key "${k}"`);
  const groupNames = new Set(), alertNames = new Set(), recordNames = new Set();
  doc.groups.forEach((g, gi) => {
    const gw = `groups[${gi}]${g?.name ? ` (${g.name})` : ""}`;
    if (!is_map(g)) { errors.push(`${gw}: not a map`); return; }
    for (const k of Object.keys(g)) if (!GROUP_KEYS.has(k)) errors.push(`${gw}: unknown key "${k}"`);
    if (typeof g.name !== "string" || !g.name) errors.push(`${gw}: needs a name`);
    else if (groupNames.has(g.name)) errors.push(`${gw}: group name "${g.name}" repeated`);
    else groupNames.add(g.name);
    if (g.interval !== undefined && !is_duration(g.interval)) errors.push(`${gw}: interval "${g.interval}" is no duration`);
    if (!Array.isArray(g.rules) || g.rules.length === 0) { errors.push(`${gw}: needs a non-empty rules list`); return; }
    g.rules.forEach((r, ri) => {
      const rw = `${gw} rules[${ri}]${r?.alert ? ` alert ${r.alert}` : r?.record ? ` record ${r.record}` : ""}`;
      if (!is_map(r)) { errors.push(`${rw}: not a map`); return; }
      for (const k of Object.keys(r)) if (!RULE_KEYS.has(k)) errors.push(`${rw}: unknown key "${k}"`);
      if ((r.alert === undefined) === (r.record === undefined)) errors.push(`${rw}: needs exactly one of alert and record`);
      if (typeof r.expr !== "string" || !r.expr.trim()) errors.push(`${rw}: needs an expr`);
      else {
        const err = parse_error(parser, r.expr);
        if (err) errors.push(`${rw}: expr does not parse at offset ${err.offset}: ${err.context}`);
        else if (parser.parse(r.expr).topNode.firstChild?.firstChild?.name !== "MetricExpr") errors.push(`${rw}: expr is a log query; the ruler needs a metric query`);
      }
      for (const k of ["labels", "annotations"]) {
        if (r[k] === undefined) continue;
        if (!is_map(r[k])) { errors.push(`${rw}: ${k} must be a map`); continue; }
        for (const [n, v] of Object.entries(r[k])) {
          if (!LABEL_NAME.test(n)) errors.push(`${rw}: ${k} name "${n}" is invalid`);
          if (typeof v !== "string") errors.push(`${rw}: ${k}.${n} must be a string`);
        }
      }
      if (r.record !== undefined) {
        if (typeof r.record !== "string" || !METRIC_NAME.test(r.record)) errors.push(`${rw}: record "${r.record}" is no metric name`);
        else if (recordNames.has(r.record)) errors.push(`${rw}: record name repeated`);
        else recordNames.add(r.record);
        for (const k of ["for", "keep_firing_for", "annotations"]) if (r[k] !== undefined) errors.push(`${rw}: a recording rule has no ${k}`);
      }
      if (r.alert !== undefined) {
        if (typeof r.alert !== "string" || !r.alert) errors.push(`${rw}: alert needs a name`);
        else if (alertNames.has(r.alert)) errors.push(`${rw}: alert name repeated`);
        else alertNames.add(r.alert);
        if (r.for === undefined) errors.push(`${rw}: an alert needs a for duration`);
        else if (!is_duration(r.for)) errors.push(`${rw}: for "${r.for}" is no duration`);
        if (r.keep_firing_for !== undefined && !is_duration(r.keep_firing_for)) errors.push(`${rw}: keep_firing_for "${r.keep_firing_for}" is no duration`);
        if (typeof r.labels?.severity !== "string" || !r.labels.severity) errors.push(`${rw}: an alert needs labels.severity`);
        if (typeof r.annotations?.summary !== "string" || !r.annotations.summary) errors.push(`${rw}: an alert needs annotations.summary`);
        // Annotations may only name labels the expression's result keeps.
        const keeps = typeof r.expr === "string" && !parse_error(parser, r.expr) ? result_labels(parser, r.expr) : null;
        if (keeps && is_map(r.annotations)) {
          for (const [k, v] of Object.entries(r.annotations)) {
            for (const m of String(v).matchAll(/\$labels\.(\w+)/g)) {
              if (!keeps.has(m[1])) errors.push(`${rw}: annotations.${k} names $labels.${m[1]}, which the expr's result does not keep (it keeps: ${[...keeps].join(", ") || "no label"})`);
            }
          }
        }
      }
    });
  });
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Check 4: the dashboard.

function check_dashboard(doc, parser, names) {
  const errors = [];
  if (!is_map(doc)) return ["the dashboard is not a JSON object"];
  const vars = Array.isArray(doc.templating?.list) ? doc.templating.list : [];
  const defined = new Set(vars.map((v) => v?.name));
  const lokiVars = loki_datasource_variables(doc);
  if (lokiVars.size === 0) errors.push("no datasource variable of type loki in templating.list");
  const seen = new Map();
  const boxes = new Map(); // group (top level, or a row's children) -> [{title, x, y, w, h}]
  const title = (p) => `panel "${p.title ?? ""}" (id ${p.id})`;
  for (const { panel: p, row } of dashboard_panels(doc)) {
    if (!is_map(p)) { errors.push("a panel is not an object"); continue; }
    if (!Number.isInteger(p.id)) errors.push(`${title(p)}: needs an integer id`);
    else if (seen.has(p.id)) errors.push(`${title(p)}: id ${p.id} repeats ${title(seen.get(p.id))}`);
    else seen.set(p.id, p);
    const g = p.gridPos;
    if (!is_map(g) || ![g.x, g.y, g.w, g.h].every(Number.isInteger)) { errors.push(`${title(p)}: needs gridPos {x, y, w, h} integers`); continue; }
    if (g.x < 0 || g.y < 0 || g.w < 1 || g.h < 1 || g.x + g.w > 24) errors.push(`${title(p)}: gridPos ${JSON.stringify(g)} is out of the 24-column grid`);
    const key = row ? `row ${row.id}` : "top";
    const list = boxes.get(key) ?? []; boxes.set(key, list);
    for (const o of list) {
      if (g.x < o.g.x + o.g.w && o.g.x < g.x + g.w && g.y < o.g.y + o.g.h && o.g.y < g.y + g.h) {
        errors.push(`${title(p)} ${JSON.stringify(g)} overlaps ${title(o.p)} ${JSON.stringify(o.g)}`);
      }
    }
    list.push({ p, g });
    // Variables: every one used is defined (or a Grafana built-in, $__…).
    const used = [...variables_in(p.title ?? ""), ...variables_in(JSON.stringify(p.targets ?? [])), ...variables_in(JSON.stringify(p.datasource ?? ""))];
    for (const v of new Set(used)) if (!/^\d+$/.test(v) && !v.startsWith("__") && !defined.has(v)) errors.push(`${title(p)}: uses $${v}, which templating.list does not define`);
    // Loki targets query through the datasource variable.
    for (const t of p.targets ?? []) {
      const ds = target_datasource(p, t);
      const type = ds?.type ?? null;
      const dv = datasource_variable(ds);
      const loki = type === "loki" || (dv && lokiVars.has(dv));
      if (!loki) {
        if (typeof t.expr === "string" && !type && !dv) errors.push(`${title(p)} target ${t.refId ?? "?"}: has an expr but no datasource`);
        continue;
      }
      if (!dv || !lokiVars.has(dv)) errors.push(`${title(p)} target ${t.refId ?? "?"}: datasource ${JSON.stringify(ds)} is not the loki datasource variable (${[...lokiVars].map((v) => "${" + v + "}").join(", ") || "none defined"})`);
      if (typeof t.expr !== "string" || !t.expr.trim()) errors.push(`${title(p)} target ${t.refId ?? "?"}: a loki target without expr`);
    }
  }
  for (const v of vars) {
    if (!is_map(v) || typeof v.name !== "string") { errors.push("a templating.list entry has no name"); continue; }
    const body = JSON.stringify({ query: v.query, definition: v.definition, regex: v.regex, datasource: v.datasource });
    for (const u of new Set(variables_in(body))) if (!/^\d+$/.test(u) && !u.startsWith("__") && !defined.has(u)) errors.push(`variable ${v.name}: uses $${u}, which templating.list does not define`);
    if (v.type !== "query") continue;
    const dv = datasource_variable(typeof v.datasource === "string" ? { uid: v.datasource } : v.datasource);
    if (v.datasource?.type !== "loki" && !(dv && lokiVars.has(dv))) continue;
    // Loki's label API lists stream labels only: a metadata name gives an empty variable.
    let label = null, stream = null;
    if (is_map(v.query)) { label = v.query.label ?? null; stream = v.query.stream || null; }
    else {
      const m = /^\s*label_values\(\s*(?:(\{.*\})\s*,\s*)?(\w+)\s*\)\s*$/s.exec(String(v.query ?? v.definition ?? ""));
      if (m) { stream = m[1] ?? null; label = m[2]; }
    }
    if (label && !names.streamLabels.has(label) && !AGENT_LABELS.includes(label)) {
      errors.push(`variable ${v.name}: label_values of "${label}", which is no stream label under airlog's default labels (Loki lists stream labels only; use a textbox or custom variable for metadata)`);
    }
    if (stream) {
      const q = substitute_variables(stream);
      const err = parse_error(parser, q);
      if (err) errors.push(`variable ${v.name}: stream selector ${stream} does not parse at offset ${err.offset}`);
      else for (const e of check_names(parser.parse(q), q, names)) errors.push(`variable ${v.name}: ${e}`);
    }
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Check 5: the evaluator.

class Unsupported extends Error {}

/** An RE2 pattern as a JS RegExp (anchored like Loki's label matchers when `anchored`). */
function re2(pattern, anchored) {
  let flags = "", p = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(p);
  if (lead) {
    if (lead[1].includes("U")) throw new Unsupported(`regex flag U in ${pattern}`);
    flags = [...new Set(lead[1].replace("m", "m"))].join("");
    p = p.slice(lead[0].length);
  }
  if (/\(\?[a-zA-Z]+[:)]/.test(p) || /\\[QE]|\[\[:/.test(p)) throw new Unsupported(`regex ${pattern}`);
  p = p.replace(/\(\?P</g, "(?<").replace(/\\z/g, "$").replace(/\\A/g, "^");
  return new RegExp(anchored ? `^(?:${p})$` : p, flags);
}

const DURATION_UNITS = { ns: 1e-9, us: 1e-6, "µs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
function seconds(text) {
  let s = 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w|y)/g;
  let m, seen = "";
  while ((m = re.exec(text))) { s += Number(m[1]) * DURATION_UNITS[m[2]]; seen += m[0]; }
  return seen === text.replace(/^[-+]/, "") && seen ? s : NaN;
}
function bytes(text) {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGTPE]?i?B?)$/i.exec(text);
  if (!m) return NaN;
  const u = m[2].toUpperCase().replace(/B$/, "");
  const pow = "KMGTPE".indexOf(u[0] ?? "") + 1;
  return Number(m[1]) * (u.endsWith("I") ? 1024 : 1000) ** pow;
}
const COMPARE = { Gtr: (a, b) => a > b, Gte: (a, b) => a >= b, Lss: (a, b) => a < b, Lte: (a, b) => a <= b, Eql: (a, b) => a === b, Eq: (a, b) => a === b, Neq: (a, b) => a !== b };

/** A predicate over {labels, meta, line, message} for the log query at `node` (LogExpr/LogRangeExpr). */
function compile_log_query(node, text) {
  const t = (n) => text.slice(n.from, n.to);
  const value_matcher = (m, anchored = true) => {
    const op = m.firstChild.nextSibling.name; // Eq, Neq, Re, Nre
    const v = string_value(t(child(m, "String")));
    if (op === "Eq") return v === ANY ? (x) => x !== "" : (x) => x === v;
    if (op === "Neq") return v === ANY ? () => true : (x) => x !== v;
    const re = re2(v, anchored);
    return op === "Re" ? (x) => re.test(x) : (x) => !re.test(x);
  };
  const selector = [];
  for (const m of nodes(child(node, "Selector"))) {
    if (m.name !== "Matcher") continue;
    const name = t(child(m, "Identifier")), test = value_matcher(m);
    selector.push((e) => test(e.labels[name] ?? ""));
  }
  const stages = [];
  const get = (e, name) => e.parsed?.[name] ?? e.labels[name] ?? e.meta[name] ?? "";
  const label_filter = (lf) => {
    const parts = children(lf);
    const and = parts.find((c) => c.name === "And"), or = parts.find((c) => c.name === "Or");
    const subs = parts.filter((c) => c.name === "LabelFilter");
    if (and || or) {
      const [a, b] = subs.map(label_filter);
      return and ? (e) => a(e) && b(e) : (e) => a(e) || b(e);
    }
    if (subs.length === 1) return label_filter(subs[0]); // parentheses
    let f = parts[0];
    if (f.name === "UnitFilter") f = f.firstChild;
    const name = t(child(f, "Identifier"));
    if (f.name === "Matcher") { const test = value_matcher(f); return (e) => test(get(e, name)); }
    const cmp = COMPARE[f.firstChild.nextSibling.name];
    const rhs = f.lastChild;
    if (f.name === "NumberFilter") { const v = Number(t(rhs)); return (e) => { const x = get(e, name); return x !== "" && cmp(Number(x), v); }; }
    if (f.name === "DurationFilter") { const v = seconds(t(rhs)); return (e) => cmp(seconds(get(e, name)), v); }
    if (f.name === "BytesFilter") { const v = bytes(t(rhs)); return (e) => cmp(bytes(get(e, name)), v); }
    throw new Unsupported(`label filter ${t(lf)}`);
  };
  const line_filter = (lf) => {
    const op = child(lf, "Filter").firstChild.name;
    if (!child(lf, "String")) throw new Unsupported(`line filter ${t(lf)}`);
    const values = [child(lf, "String"), ...[...nodes(lf)].filter((c) => c.name === "String" && c.parent.name === "OrFilter")].map((s) => string_value(t(s)));
    if (op === "PipeExact") return (e) => values.some((v) => e.message.includes(v));
    if (op === "Neq") return (e) => values.every((v) => !e.message.includes(v));
    const res = op === "PipeMatch" || op === "Nre" ? values.map((v) => re2(v, false)) : null;
    if (op === "PipeMatch") return (e) => res.some((r) => r.test(e.message));
    if (op === "Nre") return (e) => res.every((r) => !r.test(e.message));
    throw new Unsupported(`line filter ${t(lf)}`);
  };
  const all = [...nodes(node)].filter((n) => n.name === "PipelineStage" || n.name === "UnwrapExpr");
  let lineChanged = false;
  for (const s of all) {
    if (s.name === "UnwrapExpr") {
      const ids = [...nodes(s)].filter((c) => c.name === "Identifier").map(t);
      const name = ids.pop(), conv = [...nodes(s)].some((c) => c.name === "DurationConv") ? seconds : Number;
      stages.push((e) => !Number.isNaN(conv(get(e, name))) && get(e, name) !== "");
      continue;
    }
    const body = s.lastChild;
    switch (body.name) {
      case "LineFilters":
        if (lineChanged) throw new Unsupported("a line filter after line_format");
        for (const lf of nodes(body)) if (lf.name === "LineFilter") stages.push(line_filter(lf));
        break;
      case "LabelFilter": stages.push(label_filter(body)); break;
      case "LabelParser": {
        const kind = body.firstChild.name;
        if (kind === "Json") stages.push((e) => { e.parsed = { ...e.parsed, ...flatten(e.line, "", {}) }; return true; });
        else if (kind === "Regexp") {
          const re = re2(string_value(t(child(body, "String"))), false);
          stages.push((e) => { const m = re.exec(e.message); e.parsed = { ...e.parsed, ...(m?.groups ?? {}) }; return true; });
        } else if (kind !== "Logfmt" && kind !== "Unpack") throw new Unsupported(t(body));
        break;
      }
      case "JsonExpressionParser":
        for (const x of nodes(body)) {
          if (x.name !== "LabelExtractionExpression") continue;
          const name = t(child(x, "Identifier"));
          const path = child(x, "String") ? string_value(t(child(x, "String"))) : name;
          stages.push((e) => {
            let v = e.line;
            for (const k of path.replace(/\[(\d+)\]/g, ".$1").replace(/\["([^"]+)"\]/g, ".$1").split(".").filter(Boolean)) v = v?.[k];
            e.parsed = { ...e.parsed, [name]: v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v) };
            return true;
          });
        }
        break;
      case "LineFormatExpr": lineChanged = true; break;
      case "DecolorizeExpr": case "DropLabelsExpr": case "KeepLabelsExpr": case "LogfmtParser": case "LogfmtExpressionParser": break;
      case "LabelFormatExpr":
        for (const m of nodes(body)) {
          if (m.name !== "LabelFormatMatcher") continue;
          const [dst, src] = children(m).filter((c) => c.name === "Identifier").map(t);
          if (!src) throw new Unsupported(`label_format template ${t(m)}`);
          stages.push((e) => { e.parsed = { ...e.parsed, [dst]: get(e, src) }; return true; });
        }
        break;
      default: throw new Unsupported(t(s));
    }
  }
  return (entry) => {
    if (!selector.every((f) => f(entry))) return false;
    const e = { ...entry, parsed: null };
    return stages.every((f) => f(e));
  };
}

/** How many entries each log query inside `query` selects: [{text, real, golden}]. */
function evaluate(parser, query, entries) {
  const text = substitute_variables(query, ANY);
  const tree = parser.parse(text);
  let logs = [...nodes(tree.topNode)].filter((n) => n.name === "LogRangeExpr");
  if (logs.length === 0) logs = [...nodes(tree.topNode)].filter((n) => n.name === "LogExpr" && !has_ancestor(n, "LogExpr"));
  return logs.map((n) => {
    const match = compile_log_query(n, text);
    const counts = { text: text.slice(n.from, n.to), real: 0, golden: 0 };
    for (const e of entries) if (match(e)) counts[e.source]++;
    return counts;
  });
}

const FAIL_HEADING = /\bfail(s|ed|ure|ures)?\b/i;

function run_real(a, parser) {
  if (log_files(a.real_logs).length === 0) {
    console.log(`grafana_kit_check: ${a.real_logs} absent (no *.log), real-logs check skipped`);
    process.exit(77);
  }
  const { queries, absent, problems } = kit_queries(a.kit);
  const picked = queries.filter((q) => (q.kind === "rule" && q.rule.alert !== undefined) ||
    (q.kind === "markdown" && q.file === COOKBOOK && FAIL_HEADING.test(q.heading)));
  for (const f of absent) console.log(`grafana_kit_check: ${f} absent, skipped`);
  if (!existsSync(join(a.kit, COOKBOOK))) console.log(`grafana_kit_check: ${COOKBOOK} absent, skipped`);
  const errors = [...problems];
  if (picked.length === 0) {
    console.log("grafana_kit_check: no alert and no \"fail\" cookbook query to evaluate");
    if (errors.length) { errors.forEach((e) => console.error(e)); process.exit(1); }
    process.exit(77);
  }
  const entries = [...loki_entries(a.cli, log_files(a.real_logs), [], "real"), ...loki_entries(a.cli, log_files(a.golden), [], "golden")];
  const real = entries.filter((e) => e.source === "real").length;
  let notes = 0;
  for (const q of picked) {
    const where = `${q.file}:${q.where}${q.heading ? ` (under "${q.heading}")` : ""}`;
    if (parse_error(parser, substitute_variables(q.query, ANY))) { errors.push(`${where}: does not parse: ${q.query}`); continue; }
    let results;
    try { results = evaluate(parser, q.query, entries); } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      errors.push(`${where}: the evaluator does not support ${e.message}: ${q.query}`); continue;
    }
    for (const r of results) {
      if (r.real > 0) console.log(`ok ${where}: ${r.real} real entries: ${r.text}`);
      else if (r.golden > 0) { notes++; console.log(`NOTE ${where}: no real-log entry, ${r.golden} golden-corpus entries: ${r.text}`); }
      else errors.push(`${where}: selects no entry of airlog's Loki output over the real logs (${real} entries) or the golden corpus: ${r.text}`);
    }
  }
  for (const e of errors) console.error(e);
  console.log(`grafana_kit_check real: ${picked.length} queries over ${real} real entries, ${errors.length} problems, ${notes} matched only the golden corpus`);
  process.exit(errors.length ? 1 : 0);
}

function run_static(a, parser) {
  const names = emitted_names(a);
  const { queries, absent, problems } = kit_queries(a.kit);
  const errors = [...problems];
  for (const f of absent) console.log(`grafana_kit_check: ${f} absent, skipped`);
  for (const q of queries) {
    const text = substitute_variables(q.query);
    const err = parse_error(parser, text);
    if (err) { errors.push(`${q.file}:${q.where}: LogQL does not parse at offset ${err.offset}: ${err.context}\n  ${q.query}`); continue; }
    for (const e of check_names(parser.parse(text), text, names)) errors.push(`${q.file}:${q.where}: ${e}\n  ${q.query}`);
  }
  const rules = join(a.kit, RULES);
  if (existsSync(rules) && !problems.some((p) => p.startsWith(RULES))) {
    for (const e of check_rules(read_yaml(rules), parser)) errors.push(`${RULES}: ${e}`);
  }
  const dash = join(a.kit, DASHBOARD);
  if (existsSync(dash) && !problems.some((p) => p.startsWith(DASHBOARD))) {
    for (const e of check_dashboard(JSON.parse(readFileSync(dash, "utf8")), parser, names)) errors.push(`${DASHBOARD}: ${e}`);
  }
  for (const e of errors) console.error(e);
  console.log(`grafana_kit_check static: ${queries.length} queries; stream labels ${[...names.streamLabels].sort().join(",")}; ${names.anyName.size} label/metadata names; ${errors.length} problems`);
  process.exit(errors.length ? 1 : 0);
}

const a = args();
const parser = load_parser(a.modules);
if (a.part === "static") run_static(a, parser);
else run_real(a, parser);
