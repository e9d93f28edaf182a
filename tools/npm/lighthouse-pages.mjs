// Lighthouse (mobile, default simulated throttling) on several pages with one Chromium:
//   node lighthouse-pages.mjs '{"urls": [...], "headers": {"Cookie": "..."}}'
// prints one JSON line: [{url, scores: {performance, accessibility}, failing: [...]}].
// CHROME_PATH names the browser; only the performance and accessibility categories run.
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const { urls, headers = {} } = JSON.parse(process.argv[2]);
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
const results = [];
try {
  for (const url of urls) {
    const run = await lighthouse(url, {
      port: chrome.port,
      onlyCategories: ["performance", "accessibility"],
      extraHeaders: headers,
      logLevel: "error",
      output: "json",
    });
    const lhr = run.lhr;
    const scores = Object.fromEntries(
      Object.entries(lhr.categories).map(([id, category]) => [id, category.score]));
    const failing = Object.values(lhr.audits)
      .filter((a) => a.score !== null && a.score < 1 &&
        !["informative", "notApplicable", "manual"].includes(a.scoreDisplayMode))
      .map((a) => `${a.id} ${a.score} ${a.displayValue || ""}`.trim());
    results.push({ url: lhr.finalDisplayedUrl, requested: url, scores, failing,
                   runtimeError: lhr.runtimeError ? lhr.runtimeError.message : null });
  }
} finally {
  await chrome.kill();
}
console.log(JSON.stringify(results));
