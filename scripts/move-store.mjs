#!/usr/bin/env node
// Moves one store's rows between two D1 databases of the worker (README, "A database per store").
//
//   node scripts/move-store.mjs copy <store> <from-binding> <to-binding> --local|--remote
//   node scripts/move-store.mjs delete <store> <from-binding> --local|--remote
//
// `copy` reads every row of the store from every table of <from> that has a `store_id` column and
// writes it to <to> as it is: the feed's cursors and the delivery log's ids included, so the
// store's readers of `GET /v1/events`, its webhook endpoints and their `Entitle-Event-Id` carry on
// where they were. It refuses, writing nothing, when <to> already holds rows of the store or a
// cursor or delivery id the store's rows would take (move a store onto a database of its own, or
// one whose feed has not reached the store's cursors). `delete` removes the store's rows from
// <from>, once STORE_DATABASES puts the store on its new database. Both run `wrangler d1 execute`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** A store id as the worker accepts it (`Id::new`). */
const STORE_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** Ids inlined per query when checking the target (well under D1's 100 KB of SQL). */
const CHUNK = 500;

/** A value as an SQL literal. */
export function literal(value) {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`a value is not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === "string") return `'${value.replaceAll("'", "''")}'`;
  throw new Error(`a value is neither text, a number nor null: ${JSON.stringify(value)}`);
}

/**
 * The tables of a database that hold stores' rows: `{ table, columns, id }`, `id` being the
 * column of an integer primary key the database numbers (the feed's `cursor`, the delivery log's
 * `delivery_id`), or null. `query(sql)` answers rows.
 */
export async function storeTables(query) {
  const names = (await query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))
    .map((row) => row.name)
    .filter((name) => !name.startsWith("sqlite_") && !name.startsWith("_cf_") && !name.startsWith("d1_"));
  const tables = [];
  for (const table of names) {
    const info = await query(`PRAGMA table_info(${table})`);
    const columns = info.map((c) => c.name);
    if (!columns.includes("store_id")) continue;
    const keys = info.filter((c) => c.pk > 0);
    const id = keys.length === 1 && /^integer$/i.test(keys[0].type) ? keys[0].name : null;
    tables.push({ table, columns, id });
  }
  return tables;
}

function checkStore(store) {
  if (!STORE_ID.test(store)) throw new Error(`\`${store}\` is not a store id`);
}

/**
 * Copies `store`'s rows from `from` to `to`, each `{ query(sql) → rows, run(statements) }`;
 * returns the rows copied by table. Nothing is written when the target already holds rows of
 * the store or an id the store's rows would take.
 */
export async function copyStore(store, from, to) {
  checkStore(store);
  const tables = await storeTables(from.query);
  const targetTables = new Set((await storeTables(to.query)).map((t) => t.table));
  const missing = tables.filter((t) => !targetTables.has(t.table)).map((t) => t.table);
  if (missing.length > 0) throw new Error(`the target has no table ${missing.join(", ")}: apply the migrations to it first`);
  const statements = [];
  const copied = {};
  for (const { table, columns, id } of tables) {
    const present = await to.query(`SELECT COUNT(*) AS n FROM ${table} WHERE store_id = ${literal(store)}`);
    if (present[0].n > 0) throw new Error(`the target already holds ${present[0].n} rows of \`${store}\` in ${table}`);
    const rows = await from.query(`SELECT ${columns.join(", ")} FROM ${table} WHERE store_id = ${literal(store)}${id ? ` ORDER BY ${id}` : ""}`);
    if (id) {
      for (let i = 0; i < rows.length; i += CHUNK) {
        const ids = rows.slice(i, i + CHUNK).map((row) => literal(row[id]));
        const taken = await to.query(`SELECT ${id} FROM ${table} WHERE ${id} IN (${ids.join(", ")}) LIMIT 1`);
        if (taken.length > 0) {
          throw new Error(`the target's ${table} already has ${id} ${taken[0][id]}, which a row of \`${store}\` holds: move the store onto a database of its own`);
        }
      }
    }
    for (const row of rows) {
      statements.push(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((c) => literal(row[c])).join(", ")});`);
    }
    copied[table] = rows.length;
  }
  await to.run(statements);
  return copied;
}

/** Deletes `store`'s rows from every table of `from`; returns the rows there were, by table. */
export async function deleteStore(store, from) {
  checkStore(store);
  const statements = [];
  const deleted = {};
  for (const { table } of await storeTables(from.query)) {
    const [{ n }] = await from.query(`SELECT COUNT(*) AS n FROM ${table} WHERE store_id = ${literal(store)}`);
    deleted[table] = n;
    statements.push(`DELETE FROM ${table} WHERE store_id = ${literal(store)};`);
  }
  await from.run(statements);
  return deleted;
}

/** A database reached through `wrangler d1 execute`, local or remote. */
function wranglerDatabase(binding, where) {
  const wrangler = join(fileURLToPath(new URL("..", import.meta.url)), "node_modules", ".bin", "wrangler");
  const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" };
  const execute = (args) => execFileSync(wrangler, ["d1", "execute", binding, where, "--yes", ...args], { env, encoding: "utf8", maxBuffer: 1 << 30 });
  return {
    async query(sql) {
      const out = execute(["--json", "--command", sql]);
      const parsed = JSON.parse(out.slice(out.indexOf("[")));
      return parsed.flatMap((result) => result.results ?? []);
    },
    async run(statements) {
      if (statements.length === 0) return;
      const dir = mkdtempSync(join(tmpdir(), "entitle-move-"));
      try {
        const file = join(dir, "rows.sql");
        writeFileSync(file, `${statements.join("\n")}\n`);
        execute(["--file", file]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

async function main(args) {
  const where = args.find((a) => a === "--local" || a === "--remote");
  const [command, store, from, to] = args.filter((a) => !a.startsWith("--"));
  const usage = "usage: node scripts/move-store.mjs copy <store> <from-binding> <to-binding> --local|--remote\n" +
    "       node scripts/move-store.mjs delete <store> <from-binding> --local|--remote";
  if (!where || !store || !from || (command === "copy" && !to) || !["copy", "delete"].includes(command)) {
    console.error(usage);
    process.exit(2);
  }
  if (command === "copy") {
    const copied = await copyStore(store, wranglerDatabase(from, where), wranglerDatabase(to, where));
    console.log(`copied \`${store}\` from ${from} to ${to}: ${JSON.stringify(copied)}`);
  } else {
    const deleted = await deleteStore(store, wranglerDatabase(from, where));
    console.log(`deleted \`${store}\` from ${from}: ${JSON.stringify(deleted)}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}
