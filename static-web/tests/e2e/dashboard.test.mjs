// End-to-end: the built dashboard in Debian's Chromium (driven by playwright-core) against a real `sigmaflow serve`
// with Azurite and the simulated feed (tests/e2e/platform.mjs). Run by static-web/test.sh, or alone:
//   node --test --test-concurrency=1 tests/e2e/
// Screenshots go to static-web/test-output/screenshots/ (git-ignored). SIGMAFLOW_CHROMIUM names another browser binary.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { missingPrerequisites, repoRoot, startPlatform, syntheticBars } from "./platform.mjs";

const chromiumPath = process.env.SIGMAFLOW_CHROMIUM || "/usr/bin/chromium";
const output = join(repoRoot, "static-web", "test-output");
const shots = join(output, "screenshots");
const skip = !existsSync(chromiumPath)
    ? `Chromium is not installed at ${chromiumPath} (apt-get install -y chromium, or set SIGMAFLOW_CHROMIUM)`
    : missingPrerequisites() ?? false;

let platform;
let browser;
let context;
let page;
const figures = {};
const serveLog = [];

/** Each test's own limit: live data arrives in seconds, but a busy shared machine can make serve slow to start. */
const limits = { timeout: 240_000 };
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, check, timeoutMs = 60_000, everyMs = 250) {
    const started = Date.now();
    let last;
    while (Date.now() - started < timeoutMs) {
        try {
            last = await check();
            if (last) return last;
        } catch (error) {
            last = error;
        }
        await wait(everyMs);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

const chart = () => page.getByTestId("chart");
const chartData = async () => chart().evaluate((element) => ({ ...element.dataset }));
const nav = (name) => page.getByRole("navigation", { name: "Views" }).getByRole("link", { name });
const status = async () => page.getByTestId("connection").getAttribute("data-status");

/** Runs in the page: frames drawn, the longest gap between frames and long tasks over `durationMs`. */
function measureFrames(durationMs) {
    return new Promise((resolve) => {
        const tasks = [];
        const observer = new PerformanceObserver((list) => tasks.push(...list.getEntries().map((e) => e.duration)));
        observer.observe({ type: "longtask" });
        let frames = 0;
        let worstFrame = 0;
        let previous = performance.now();
        const start = previous;
        const frame = (now) => {
            frames++;
            worstFrame = Math.max(worstFrame, now - previous);
            previous = now;
            if (now - start < durationMs) requestAnimationFrame(frame);
            else {
                observer.disconnect();
                resolve({ seconds: (now - start) / 1000, frames, worstFrameMs: Math.round(worstFrame), longTasks: tasks.length, blockingMs: Math.round(tasks.reduce((sum, d) => sum + Math.max(0, d - 50), 0)) });
            }
        };
        requestAnimationFrame(frame);
    });
}

async function shot(name) {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function setTheme(theme) {
    await page.evaluate((value) => localStorage.setItem("sigmaflow.theme", value), theme);
    await page.reload();
    await until(`theme ${theme}`, async () => (await page.evaluate(() => document.documentElement.dataset.theme)) === theme);
}

describe("dashboard in Chromium against sigmaflow serve", { skip, concurrency: false }, () => {
    before(async () => {
        mkdirSync(shots, { recursive: true });
        const { chromium } = await import("playwright-core");
        const started = Date.now();
        platform = await startPlatform({ log: (line) => serveLog.push(line) });
        figures.platformStartMs = Date.now() - started;
        // Stored history for BTCUSD, ending where the live feed began, at the live price (as if the feed had run for hours).
        const quote = await until("a BTCUSD quote from the feed", async () => (await platform.api("/quotes?symbols=BTCUSD")).items[0], 90_000, 500);
        const bars = syntheticBars(started, 300, quote.price);
        const signal = (index, kind) => ({ id: `BTCUSD|ema-cross|1m|${kind}|${bars[index].time}`, strategy: "ema-cross", kind: kind[0].toLowerCase() + kind.slice(1), time: bars[index].time, price: bars[index].close });
        await platform.seedHistory("BTCUSD", bars, [signal(220, "LongEntry"), signal(262, "LongExit")]);
        await platform.post("/watchlists", { id: "majors", name: "Majors", symbols: ["BTCUSD", "ETHUSD"] });
        browser = await chromium.launch({
            executablePath: chromiumPath,
            headless: true,
            args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
        });
        context = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: "dark" });
        page = await context.newPage();
        page.on("pageerror", (error) => serveLog.push(`[page error] ${error.message}`));
        page.on("console", (message) => {
            if (message.type() === "error") serveLog.push(`[console] ${message.text()}`);
        });
    }, { timeout: 600_000 });

    after(async () => {
        writeFileSync(join(output, "figures.json"), `${JSON.stringify(figures, null, 2)}\n`);
        writeFileSync(join(output, "platform.log"), serveLog.join("\n"));
        await browser?.close().catch(() => {});
        await platform?.stop();
    }, { timeout: 60_000 });

    test("without an API key the banner asks for one and the connection shows offline", limits, async () => {
        await page.goto(platform.url);
        await page.getByText("No API key yet").waitFor();
        assert.equal(await status(), "offline");
        assert.match(await page.getByTestId("connection").getAttribute("title"), /no API key/);
        await shot("00-no-key");
    });

    test("settings refuse a bad API base naming field, rule and value; the key is kept in localStorage and the connection goes live", limits, async () => {
        await page.getByTestId("open-settings").click();
        const dialog = page.getByRole("dialog", { name: "Settings" });
        await dialog.getByLabel("API base URL").fill("ftp://example");
        await dialog.getByLabel("API key", { exact: true }).fill(platform.apiKey);
        await dialog.getByRole("button", { name: "Save" }).click();
        await dialog.getByText("API base URL: must use http or https (got 'ftp://example')").waitFor();
        await dialog.getByLabel("API base URL").fill("");
        await dialog.getByRole("button", { name: "Test connection" }).click();
        await dialog.getByText(/signed in as .* \(admin scope\)/).waitFor();
        await shot("01-settings");
        const saved = Date.now();
        await dialog.getByRole("button", { name: "Save" }).click();
        assert.equal(await page.evaluate(() => localStorage.getItem("sigmaflow.apiKey")), platform.apiKey);
        await until("the live connection", async () => (await status()) === "connected", 60_000);
        figures.connectMs = Date.now() - saved;
    });

    test("the watchlist lists every simulated symbol with live prices, sorts, filters, pins, and shows a stored watchlist", limits, async () => {
        const rows = page.locator("[data-testid=watchlist] tbody tr");
        await until("four symbols with prices", async () => {
            const symbols = await rows.evaluateAll((trs) => trs.filter((tr) => tr.querySelector("[data-field=last]")?.textContent !== "—").map((tr) => tr.dataset.symbol));
            return ["BTCUSD", "ETHUSD", "SOLUSD", "SPY"].every((s) => symbols.includes(s)) && symbols;
        });
        const last = () => page.locator("tr[data-symbol=ETHUSD] [data-field=last]").textContent();
        const before = await last();
        await until("ETHUSD's price to move", async () => (await last()) !== before, 60_000);

        await page.getByRole("button", { name: /^Last/ }).click();
        await until("descending by last price", async () => (await rows.first().getAttribute("data-symbol")) === "BTCUSD");
        assert.equal(await page.getByRole("columnheader", { name: /^Last/ }).getAttribute("aria-sort"), "descending");
        await page.getByLabel("Filter").fill("sol");
        await until("the filter", async () => JSON.stringify(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.symbol))) === '["SOLUSD"]');
        await page.getByLabel("Filter").fill("");
        await page.getByRole("button", { name: "Pin SPY" }).click();
        await until("SPY pinned first", async () => (await rows.first().getAttribute("data-symbol")) === "SPY");
        assert.equal(await page.getByRole("button", { name: "Pin SPY" }).getAttribute("aria-pressed"), "true");
        assert.match(await page.evaluate(() => localStorage.getItem("sigmaflow.markets.view")), /"pinned":\["SPY"\]/);
        await page.getByRole("button", { name: "Pin SPY" }).click();

        await page.getByTestId("watchlist-select").selectOption("majors");
        await until("the Majors watchlist", async () => JSON.stringify(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.symbol).sort())) === '["BTCUSD","ETHUSD"]');
        await page.getByTestId("watchlist-select").selectOption("");
        await until("all symbols again", async () => (await rows.count()) === 4);
    });

    test("the chart loads stored history with its signal markers, then its last candle changes with live ticks", limits, async () => {
        await page.locator("tr[data-symbol=BTCUSD] button.symbol").click();
        await until("BTCUSD history", async () => {
            const data = await chartData();
            return data.symbol === "BTCUSD" && data.timeframe === "1m" && Number(data.candles) >= 300 && data;
        });
        await until("the seeded signals as markers", async () => Number((await chartData()).markers) >= 2);
        const first = await chartData();
        const started = Date.now();
        const moved = await until(
            "three live updates that change the last candle",
            async () => {
                const now = await chartData();
                return Number(now.liveUpdates) >= Number(first.liveUpdates) + 3 && (now.lastClose !== first.lastClose || now.lastTime !== first.lastTime) && now;
            },
            60_000,
            100,
        );
        figures.threeLiveUpdatesMs = Date.now() - started;
        assert.ok(Number(moved.lastTime) >= Number(first.lastTime), "the last candle never goes back in time");
        await page.getByTestId("legend").getByText(/^C /).waitFor();
        await shot("02-markets-dark");
        await setTheme("light");
        await until("history after reload", async () => Number((await chartData()).candles) >= 300);
        await shot("03-markets-light");
        await setTheme("dark");
    });

    test("the timeframe switch loads 5m bars and builds the forming 5m candle from live 1m bars", limits, async () => {
        await page.getByRole("button", { name: "5m", exact: true }).click();
        await until("5m history", async () => {
            const data = await chartData();
            return data.timeframe === "5m" && Number(data.candles) >= 60 && data;
        });
        assert.equal(await page.getByRole("button", { name: "5m", exact: true }).getAttribute("aria-pressed"), "true");
        const first = await chartData();
        await until("the forming 5m candle to move", async () => {
            const now = await chartData();
            return Number(now.liveUpdates) > Number(first.liveUpdates) && now.lastFinal === "false" && now;
        });
        await page.getByRole("button", { name: "15m", exact: true }).click();
        await until("15m history", async () => (await chartData()).timeframe === "15m" && Number((await chartData()).candles) >= 20);
        await page.getByRole("button", { name: "1m", exact: true }).click();
        await until("back on 1m", async () => (await chartData()).timeframe === "1m");
    });

    test("indicators from the catalog: a bad parameter is refused naming it; an overlay and a pane get values; the crosshair shows them", limits, async () => {
        const form = page.getByTestId("indicator-form");
        await form.getByLabel("Indicator").selectOption("sma");
        await form.getByLabel(/^lookback/).fill("0");
        await form.getByRole("button", { name: "Add" }).click();
        await page.getByText(/sma\.lookback: must be between 1 and \d+ \(got '0'\)/).waitFor();
        await form.getByLabel(/^lookback/).fill("20");
        await form.getByRole("button", { name: "Add" }).click();
        await form.getByLabel("Indicator").selectOption("rsi");
        await form.getByRole("button", { name: "Add" }).click();
        await page.getByRole("button", { name: "Remove sma(20)" }).waitFor();
        await page.getByRole("button", { name: "Remove rsi(14)" }).waitFor();
        await until("indicator values", async () => {
            const data = await chartData();
            return Number(data.indicatorLines) === 2 && Number(data.indicatorPoints) > 400 && data;
        });
        const box = await chart().boundingBox();
        await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.3);
        const legend = page.getByTestId("legend");
        await until("crosshair values", async () => {
            const text = await legend.textContent();
            return /sma\(20\) [\d,.]+/.test(text) && /rsi\(14\) [\d.]+/.test(text) && !text.includes("forming") && text;
        });
        await shot("04-markets-indicators");
        await page.mouse.move(5, 5);
    });

    test("main-thread load while live updates arrive is measured (recorded in figures.json, not asserted)", limits, async () => {
        const before = Number((await chartData()).liveUpdates);
        const measured = await page.evaluate(measureFrames, 10_000);
        const updates = Number((await chartData()).liveUpdates) - before;
        figures.liveWindow = {
            ...measured,
            framesPerSecond: Math.round((measured.frames / measured.seconds) * 10) / 10,
            chartUpdatesPerSecond: Math.round((updates / measured.seconds) * 10) / 10,
            note: "10 s on Markets (BTCUSD 1m with sma(20) and rsi(14), four symbols in the watchlist), feed at 40 ticks/s",
        };
        assert.ok(measured.frames > 0, "the page kept rendering frames");
        assert.ok(updates > 0, "live updates arrived while measuring");
    });

    test("a faster feed (400 ticks/s) is measured too: messages per second and main-thread load (recorded, not asserted)", limits, async () => {
        await platform.restartFeed(400);
        const messages = async () => Number(await page.getByTestId("connection").getAttribute("data-messages"));
        await wait(5000);
        const before = { messages: await messages(), updates: Number((await chartData()).liveUpdates) };
        const measured = await page.evaluate(measureFrames, 15_000);
        const after = { messages: await messages(), updates: Number((await chartData()).liveUpdates) };
        await platform.restartFeed(40);
        figures.fastFeedWindow = {
            ...measured,
            framesPerSecond: Math.round((measured.frames / measured.seconds) * 10) / 10,
            messagesPerSecond: Math.round(((after.messages - before.messages) / measured.seconds) * 10) / 10,
            chartUpdatesPerSecond: Math.round(((after.updates - before.updates) / measured.seconds) * 10) / 10,
            note: "15 s on Markets (BTCUSD 1m with sma(20) and rsi(14), four symbols in the watchlist), feed at 400 ticks/s",
        };
        assert.ok(measured.frames > 0, "the page kept rendering frames");
        assert.ok(after.messages > before.messages, "live messages arrived while measuring");
    });

    test("strategies: an error shows at its line while typing, then the document saves as v1, again as v2, with its history", limits, async () => {
        await nav("Strategies").click();
        const editor = page.getByTestId("strategy-editor");
        await editor.waitFor();
        const bad = [
            "name: e2e-cross",
            "parameters:",
            "  fast: { default: 10, min: 2, max: 200 }",
            "long:",
            "  entry: crossover(smaa(close, fast), sma(close, 30))",
            "  exit: crossunder(sma(close, fast), sma(close, 30))",
            "sizing:",
            "  quantity: 1",
            "",
        ].join("\n");
        await editor.fill(bad);
        await until("the validation result", async () => (await page.getByTestId("validation-status").getAttribute("data-state")) === "invalid");
        const gutter = page.locator(".gutter .ln.has-error");
        assert.deepEqual(await gutter.evaluateAll((lines) => lines.map((l) => l.dataset.line)), ["5"]);
        const error = page.getByTestId("strategy-errors").getByRole("button", { name: /^Line 5, column \d+/ });
        await error.waitFor();
        assert.match(await page.getByTestId("strategy-errors").textContent(), /smaa.*Did you mean 'sma'/);
        await error.click();
        const caret = await editor.evaluate((area) => area.value.slice(0, area.selectionStart).split("\n").length);
        assert.equal(caret, 5, "clicking the error puts the caret on its line");
        await shot("05-strategies-error");

        await editor.fill(bad.replace("smaa(", "sma("));
        await until("valid", async () => (await page.getByTestId("validation-status").getAttribute("data-state")) === "valid");
        await page.getByTestId("parameters").getByRole("rowheader", { name: "fast" }).waitFor();
        await page.getByTestId("save-strategy").click();
        await page.getByTestId("save-message").getByText("Saved e2e-cross as version 1.").waitFor();
        await until("the strategy's own address", async () => page.url().endsWith("#/strategies/e2e-cross"));
        await page.getByRole("navigation", { name: "Strategies" }).getByRole("link", { name: /e2e-cross/ }).waitFor();

        await editor.fill(bad.replace("smaa(", "sma(").replace("quantity: 1", "quantity: 2"));
        await until("valid", async () => (await page.getByTestId("validation-status").getAttribute("data-state")) === "valid");
        await page.getByTestId("save-strategy").click();
        await page.getByTestId("save-message").getByText("Saved e2e-cross as version 2.").waitFor();
        const versions = page.getByTestId("versions");
        await until("two versions", async () => (await versions.getByRole("button").allTextContents()).join(",") === "v2,v1");
        await versions.getByRole("button", { name: "v1" }).click();
        const view = page.getByTestId("version-view");
        await view.waitFor();
        assert.match(await view.locator("pre").textContent(), /quantity: 1/);
        const stored = await platform.api("/strategies/e2e-cross");
        assert.equal(stored.version, 2);
        assert.match(stored.document, /quantity: 2/);
        await shot("06-strategies-saved");
    });

    test("placeholders say honestly that their views come with the API", limits, async () => {
        for (const [id, label] of [["backtest", "Backtest"], ["sweeps", "Sweeps"], ["screener", "Screener"], ["alerts", "Alerts"], ["portfolio", "Portfolio"], ["agent", "Agent"]]) {
            await nav(new RegExp(`^${label}`)).click();
            const heading = page.getByRole("heading", { level: 1 });
            await until(`the ${label} placeholder`, async () => /coming with the API/.test(await heading.textContent()) && (await heading.textContent()).startsWith(label));
            assert.match(await page.locator("main").textContent(), /Nothing here is simulated/);
            await shot(`07-${id}`);
        }
    });

    test("after serve restarts, the connection shows reconnecting, comes back live by itself, and the chart updates again", limits, async () => {
        await nav("Markets").click();
        await until("connected on Markets", async () => (await status()) === "connected" && Number((await chartData()).candles) > 0);
        await platform.stopServe();
        await until("reconnecting shown", async () => ["reconnecting", "offline"].includes(await status()), 30_000, 100);
        const down = await chartData();
        await shot("08-reconnecting");
        await until("stale marked", async () => page.getByTestId("chart-stale").isVisible(), 10_000);
        const restarted = Date.now();
        await platform.startServe();
        await until("live again", async () => (await status()) === "connected", 90_000);
        figures.reconnectAfterRestartMs = Date.now() - restarted;
        await until("live updates after the restart", async () => Number((await chartData()).liveUpdates) > Number(down.liveUpdates), 90_000);
    });

    test("keyboard: skip link first, views reachable with Tab and Enter", limits, async () => {
        await page.goto(`${platform.url}#/markets`);
        await page.reload();
        await page.getByTestId("chart").waitFor();
        await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
        await page.keyboard.press("Tab");
        assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), "Skip to content");
        let reached = false;
        for (let i = 0; i < 12 && !reached; i++) {
            await page.keyboard.press("Tab");
            reached = (await page.evaluate(() => document.activeElement?.textContent?.trim())) === "Strategies";
        }
        assert.ok(reached, "Tab reaches the Strategies link");
        const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
        assert.notEqual(outline, "none", "the focused link shows a focus outline");
        await page.keyboard.press("Enter");
        await until("Strategies by keyboard", async () => page.url().endsWith("#/strategies"));
        await page.getByTestId("strategy-editor").waitFor();
    });

    test("every control has a label, and text contrast is at least 4.5:1 (3:1 for large text) in both themes", limits, async () => {
        const audit = () =>
            page.evaluate(() => {
                const parse = (color) => {
                    const m = color.match(/rgba?\(([^)]+)\)/);
                    if (!m) return null;
                    const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
                    return { r, g, b, a };
                };
                const luminance = ({ r, g, b }) => {
                    const c = [r, g, b].map((v) => {
                        const s = v / 255;
                        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
                    });
                    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
                };
                const background = (element) => {
                    for (let e = element; e; e = e.parentElement) {
                        const color = parse(getComputedStyle(e).backgroundColor);
                        if (color && color.a > 0.5) return color;
                    }
                    return parse(getComputedStyle(document.body).backgroundColor);
                };
                const visible = (e) => {
                    const style = getComputedStyle(e);
                    const box = e.getBoundingClientRect();
                    return style.visibility !== "hidden" && style.display !== "none" && box.width > 1 && box.height > 1 && !e.closest(".visually-hidden");
                };
                const unlabeled = [];
                for (const control of document.querySelectorAll("button, input, select, textarea, a[href]")) {
                    if (!visible(control)) continue;
                    const name = (control.getAttribute("aria-label") || "").trim() || (control.getAttribute("title") || "").trim() || (control.labels && [...control.labels].map((l) => l.textContent).join("").trim()) || (control.getAttribute("aria-labelledby") ? "x" : "") || (["BUTTON", "A"].includes(control.tagName) ? control.textContent.trim() : "");
                    if (!name) unlabeled.push(control.outerHTML.slice(0, 120));
                }
                const failures = [];
                let checked = 0;
                for (const element of document.querySelectorAll("body *")) {
                    if (!visible(element) || element.closest("[data-testid=chart], .spark, svg, button:disabled")) continue;
                    const text = [...element.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join("").trim();
                    if (!text) continue;
                    const style = getComputedStyle(element);
                    const fg = parse(style.color);
                    const bg = background(element);
                    if (!fg || !bg) continue;
                    const opacity = Number(style.opacity);
                    const blended = { r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a), b: fg.b * fg.a + bg.b * (1 - fg.a) };
                    const shown = opacity < 1 ? { r: blended.r * opacity + bg.r * (1 - opacity), g: blended.g * opacity + bg.g * (1 - opacity), b: blended.b * opacity + bg.b * (1 - opacity) } : blended;
                    const [l1, l2] = [luminance(shown), luminance(bg)].sort((a, b) => b - a);
                    const ratio = (l1 + 0.05) / (l2 + 0.05);
                    const size = parseFloat(style.fontSize);
                    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
                    checked++;
                    if (ratio < (large ? 3 : 4.5)) failures.push(`${ratio.toFixed(2)}:1 '${text.slice(0, 40)}' (${style.color} on rgb(${bg.r},${bg.g},${bg.b}))`);
                }
                return { unlabeled, failures, checked };
            });
        const results = {};
        for (const theme of ["dark", "light"]) {
            await setTheme(theme);
            for (const view of ["markets", "strategies/e2e-cross", "backtest"]) {
                await page.goto(`${platform.url}#/${view}`);
                await page.waitForTimeout(1500);
                const result = await audit();
                results[`${theme} ${view}`] = result;
            }
        }
        await setTheme("dark");
        const problems = Object.entries(results).flatMap(([where, r]) => [...r.unlabeled.map((u) => `${where}: no label: ${u}`), ...r.failures.map((f) => `${where}: contrast ${f}`)]);
        figures.contrastChecked = Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.checked]));
        assert.ok(Object.values(results).every((r) => r.checked > 10), "the audit found text to check");
        assert.deepEqual(problems, []);
    });

    test("the page raised no uncaught error", limits, async () => {
        assert.deepEqual(serveLog.filter((line) => line.startsWith("[page error]")), []);
    });

    test("on a phone (390×844) the shell fits the width and the chart and watchlist are usable", limits, async () => {
        const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme: "dark" });
        const small = await phone.newPage();
        await small.addInitScript((key) => localStorage.setItem("sigmaflow.apiKey", key), platform.apiKey);
        await small.goto(`${platform.url}#/markets`);
        await small.getByTestId("chart").waitFor();
        await until("phone chart data", async () => Number(await small.getByTestId("chart").getAttribute("data-candles")) > 0);
        const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `the page is ${overflow}px wider than the phone`);
        assert.ok(await small.getByRole("navigation", { name: "Views" }).isVisible());
        await small.locator("tr[data-symbol=ETHUSD] button.symbol").tap();
        await until("ETHUSD on the phone", async () => (await small.getByTestId("chart").getAttribute("data-symbol")) === "ETHUSD");
        await small.evaluate(() => window.scrollTo(0, 0));
        await small.screenshot({ path: join(shots, "09-phone-markets.png"), fullPage: true });
        await small.goto(`${platform.url}#/strategies/e2e-cross`);
        await small.getByTestId("strategy-editor").waitFor();
        await small.screenshot({ path: join(shots, "10-phone-strategies.png"), fullPage: true });
        await phone.close();
    });
});

if (skip) console.log(`# dashboard end-to-end tests skipped: ${skip}`);
