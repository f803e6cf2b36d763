/** The report's only stylesheet, inlined (the CSP allows inline styles and nothing external). */
export const REPORT_CSS = `
:root{--fg:#1b1f24;--muted:#5b6570;--line:#d5dae0;--bg:#fff;--panel:#f6f8fa;--pass:#1a7f37;--fail:#cf222e;--inc:#9a6700;--accent:#0969da}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
header.run{padding:16px 24px;background:var(--panel);border-bottom:1px solid var(--line)}
main{padding:8px 24px 48px;max-width:1280px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:16px;margin:18px 0 6px}h4{font-size:14px;margin:12px 0 4px}
nav.toc{margin:8px 0;font-size:13px}nav.toc a{margin-right:12px;color:var(--accent)}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0}dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;overflow-wrap:anywhere}
table.data{border-collapse:collapse;margin:6px 0 12px;font-size:13px;max-width:100%}
table.data th,table.data td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
table.data th{background:var(--panel);font-weight:600;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.frame{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;max-width:640px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:700;font-size:12px;color:#fff;letter-spacing:.02em}
.badge.pass{background:var(--pass)}.badge.fail{background:var(--fail)}.badge.inc{background:var(--inc)}
.worse{color:var(--fail);fill:var(--fail)}.better{color:var(--pass);fill:var(--pass)}
.muted{color:var(--muted)}.note{color:var(--inc);font-size:12px;margin:2px 0}.meta{color:var(--muted);font-size:12px;margin:4px 0}
pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
pre{background:var(--panel);border:1px solid var(--line);padding:8px;overflow:auto;max-height:360px;white-space:pre-wrap;overflow-wrap:anywhere;margin:4px 0}
pre.hex{white-space:pre;overflow-wrap:normal}
code.cmd{display:block;background:#0d1117;color:#e6edf3;padding:8px 10px;border-radius:4px;user-select:all;white-space:pre-wrap;overflow-wrap:anywhere}
.cc{background:#fff1c2;color:#7d4e00;border-radius:2px;padding:0 1px}
section.scenario{border-top:3px solid var(--line);margin-top:28px}
section.scenario.verdict-fail{border-top-color:var(--fail)}section.scenario.verdict-pass{border-top-color:var(--pass)}section.scenario.verdict-inc{border-top-color:var(--inc)}
article.card{border:1px solid var(--line);border-left:4px solid var(--fail);border-radius:4px;padding:8px 14px;margin:14px 0;background:#fff}
article.card h4.card-title{font-size:15px;margin:4px 0}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:12px}
figure{margin:8px 0;max-width:760px}figcaption{color:var(--muted);font-size:12px}
figure.flame-fig{max-width:100%}
svg.chart{width:100%;height:auto;background:#fff;border:1px solid var(--line)}
svg.flame{width:100%;height:auto;display:block}
svg.flame text{font:11px ui-monospace,Menlo,Consolas,monospace;fill:#111;pointer-events:none}
svg.flame rect{stroke:#fff;stroke-width:.3}
input.diff-toggle{margin:4px 6px 4px 0}.diff-toggle:checked~figure svg.flame rect{fill:var(--d)}
svg.bar{width:100px;height:8px}
.axis line{stroke:#8c959f;stroke-width:1}.axis line.grid{stroke:#eaeef2}.axis text{font-size:11px;fill:#57606a}.axis text.label{font-size:12px;fill:#24292f}
path.series{fill:none;stroke:var(--accent);stroke-width:2}path.series.secondary{stroke:#8250df;stroke-dasharray:5 4;stroke-width:1.5}
.slo line{stroke-width:1.5;stroke-dasharray:6 3}.slo text{font-size:11px}
.slo.pass line{stroke:var(--pass)}.slo.pass text{fill:var(--pass)}.slo.fail line{stroke:var(--fail)}.slo.fail text{fill:var(--fail)}.slo.inc line{stroke:var(--inc)}.slo.inc text{fill:var(--inc)}
path.whisker{stroke:#24292f;stroke-width:1.5;fill:none}path.whisker.pass{stroke:var(--pass)}path.whisker.fail{stroke:var(--fail)}path.whisker.inc{stroke:var(--inc)}
circle.dot{fill:var(--accent)}circle.dot.pass{fill:var(--pass)}circle.dot.fail{fill:var(--fail)}circle.dot.inc{fill:var(--inc)}
g.fault rect{fill:#cf222e;fill-opacity:.10}g.fault text{font-size:10px;fill:#a40e26}
rect.bracket{fill:#bf8700;fill-opacity:.18}
g.breaking line{stroke:#bf8700;stroke-width:1.5;stroke-dasharray:3 3}g.breaking.estimate line{stroke:#8250df}g.breaking.estimate text{fill:#8250df}g.breaking text{font-size:11px;fill:#7d4e00}
path.error-mark{stroke:var(--fail);stroke-width:2}path.finding-mark{stroke:#8250df;stroke-width:2}
details{margin:6px 0}summary{cursor:pointer;color:var(--accent)}
@media print{pre{max-height:none}details{display:block}}
`;
