// Measures what the built dashboard costs a first visit, from dist/.vite/manifest.json:
//   initial JS      = the entry chunk and every chunk it imports statically (what index.html loads)
//   first view JS   = initial JS plus the default view's lazy chunk (Markets, what "/" shows)
// Sizes are gzip level 9 of the files as served. Exits 1 when the first view needs more than the budget.
import { readFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const dist = new URL("../dist/", import.meta.url).pathname;
const budgetKb = Number(process.env.SIGMAFLOW_JS_BUDGET_KB ?? 250);
const manifest = JSON.parse(readFileSync(join(dist, ".vite", "manifest.json"), "utf8"));
const size = (file) => {
    const bytes = readFileSync(join(dist, file));
    return { raw: statSync(join(dist, file)).size, gzip: gzipSync(bytes, { level: 9 }).length };
};

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
const staticChunks = new Set();
const walk = (key) => {
    if (staticChunks.has(key)) return;
    staticChunks.add(key);
    for (const child of manifest[key].imports ?? []) walk(child);
};
walk(entryKey);

const sum = (keys) => [...keys].reduce((total, key) => {
    const s = size(manifest[key].file);
    return { raw: total.raw + s.raw, gzip: total.gzip + s.gzip };
}, { raw: 0, gzip: 0 });

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const initial = sum(staticChunks);
const markets = Object.keys(manifest).find((k) => k.endsWith("MarketsView.tsx"));
const firstView = sum(new Set([...staticChunks, ...(markets ? [markets] : [])]));

console.log("chunk                                   raw        gzip");
for (const [key, chunk] of Object.entries(manifest)) {
    if (!chunk.file.endsWith(".js")) continue;
    const s = size(chunk.file);
    const role = staticChunks.has(key) ? "initial" : "lazy";
    console.log(`${chunk.file.padEnd(38)} ${kb(s.raw).padStart(9)} ${kb(s.gzip).padStart(10)}  ${role} (${key})`);
}
console.log(`initial JS (entry + static imports): ${kb(initial.gzip)} gzipped (${kb(initial.raw)} raw)`);
console.log(`first view JS (initial + Markets):   ${kb(firstView.gzip)} gzipped (${kb(firstView.raw)} raw); budget ${budgetKb} KB`);
if (firstView.gzip > budgetKb * 1024) {
    console.error(`the first view needs ${kb(firstView.gzip)} of JavaScript gzipped, over the ${budgetKb} KB budget`);
    process.exit(1);
}
