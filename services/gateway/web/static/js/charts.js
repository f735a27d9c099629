// Charts as inline SVG (no library): horizontal bars and a line over time (x by date). Colours come from style.css.

const NS = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

function frame(width, height, label) {
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label, class: "chart" });
  svg.append(s("title", {}, label));
  return svg;
}

/** Bars from 0 to max, one row per item ({label, value, text}); the label sits above its bar. */
export function barChart(items, { label, max = 1, format = (v) => `${Math.round(v * 100)}%` } = {}) {
  const width = 380;
  const row = 36;
  const svg = frame(width, Math.max(row, items.length * row) + 4, label);
  items.forEach((item, i) => {
    const y = i * row;
    const value = Math.max(0, Math.min(max, item.value));
    const barWidth = Math.max(2, (value / max) * (width - 50));
    const g = s("g", { class: "bar-row" });
    g.append(s("title", {}, `${item.label}: ${item.text || format(item.value)}`));
    g.append(s("text", { x: 0, y: y + 12, class: "chart-label" }, item.label));
    g.append(s("rect", { x: 0, y: y + 17, width: width - 50, height: 12, rx: 3, class: "chart-track" }));
    g.append(s("rect", { x: 0, y: y + 17, width: barWidth.toFixed(1), height: 12, rx: 3, class: "chart-bar" }));
    g.append(s("text", { x: width, y: y + 28, class: "chart-value", "text-anchor": "end" }, item.text || format(item.value)));
    svg.append(g);
  });
  return svg;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const CLOCK = { hour: "2-digit", minute: "2-digit" };
// Tick spacings, finest first: [step in ms, how a tick reads]; past two weeks, whole months.
const STEPS = [
  [SECOND, { ...CLOCK, second: "2-digit" }], [5 * SECOND, { ...CLOCK, second: "2-digit" }],
  [15 * SECOND, { ...CLOCK, second: "2-digit" }], [30 * SECOND, { ...CLOCK, second: "2-digit" }],
  [MINUTE, CLOCK], [5 * MINUTE, CLOCK], [15 * MINUTE, CLOCK], [30 * MINUTE, CLOCK], [HOUR, CLOCK],
  [3 * HOUR, CLOCK], [6 * HOUR, CLOCK], [12 * HOUR, CLOCK],
  [DAY, { month: "short", day: "numeric" }], [2 * DAY, { month: "short", day: "numeric" }],
  [7 * DAY, { month: "short", day: "numeric" }], [14 * DAY, { month: "short", day: "numeric" }],
];
const MONTHS = [1, 2, 3, 6, 12, 24, 60];

/** Round-numbered ticks between t0 and t1 (ms), at most `most`: [{t, text}], in local time. */
export function timeTicks(t0, t1, most = 6) {
  const midnight = new Date(t0).setHours(0, 0, 0, 0);
  for (const [step, format] of STEPS) {
    if ((t1 - t0) / step > most - 1) continue;
    const ticks = [];
    for (let t = midnight + Math.ceil((t0 - midnight) / step) * step; t <= t1; t += step) {
      ticks.push({ t, text: new Date(t).toLocaleString(undefined, format) });
    }
    return ticks;
  }
  const first = new Date(t0);
  const months = (new Date(t1).getFullYear() - first.getFullYear()) * 12 + new Date(t1).getMonth() - first.getMonth();
  const every = MONTHS.find((m) => months / m <= most - 1) || Math.ceil(months / (most - 1));
  const ticks = [];
  const at = new Date(first.getFullYear(), first.getMonth() + (first.getDate() > 1 || first.getHours() > 0 ? 1 : 0), 1);
  for (; at.getTime() <= t1; at.setMonth(at.getMonth() + every)) {
    ticks.push({ t: at.getTime(), text: at.toLocaleDateString(undefined, { month: "short", year: "numeric" }) });
  }
  return ticks;
}

/**
 * Readiness over time: points ({at: Date, value in 0..1, title}) placed along x by their date (the span
 * from the first to the last), joined by a line; gridlines at every quarter; the x axis labelled with
 * round dates (or times, when the points are less than a day apart).
 */
export function timeChart(points, { label } = {}) {
  const width = 600;
  const height = 220;
  const left = 44;
  const right = 16;
  const top = 12;
  const bottom = 40;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const svg = frame(width, height, label);
  for (const q of [0, 0.25, 0.5, 0.75, 1]) {
    const y = top + plotH * (1 - q);
    svg.append(s("line", { x1: left, x2: width - right, y1: y, y2: y, class: "chart-grid" }));
    svg.append(s("text", { x: left - 6, y: y + 4, class: "chart-axis", "text-anchor": "end" }, `${q * 100}%`));
  }
  if (!points.length) return svg;
  const times = points.map((p) => p.at.getTime());
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const x = (t) => (t1 > t0 ? left + ((t - t0) / (t1 - t0)) * plotW : left + plotW / 2);
  const xy = points.map((p, i) => [x(times[i]), top + plotH * (1 - p.value)]);
  if (xy.length > 1) {
    svg.append(s("polyline", { points: xy.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(" "), class: "chart-line" }));
  }
  const ticks = t1 > t0 ? timeTicks(t0, t1) : [{ t: t0, text: points[0].at.toLocaleDateString(undefined, { month: "short", day: "numeric" }) }];
  for (const tick of ticks) {
    const tx = x(tick.t);
    const anchor = tx < left + 30 ? "start" : tx > width - right - 30 ? "end" : "middle";
    svg.append(s("line", { x1: tx.toFixed(1), x2: tx.toFixed(1), y1: top + plotH, y2: top + plotH + 5, class: "chart-grid" }));
    svg.append(s("text", { x: tx.toFixed(1), y: height - bottom + 20, class: "chart-axis", "text-anchor": anchor }, tick.text));
  }
  points.forEach((p, i) => {
    const [px, py] = xy[i];
    const dot = s("circle", { cx: px.toFixed(1), cy: py.toFixed(1), r: 5, class: "chart-dot", "data-at": p.at.toISOString() });
    dot.append(s("title", {}, p.title || `${p.at.toLocaleDateString()}: ${Math.round(p.value * 100)}%`));
    svg.append(dot);
  });
  return svg;
}

/**
 * Demand month by month: up to four lines ({label, values: share 0..1 or null per month}) over `months`
 * ("YYYY-MM", evenly spaced); each line has its own colour and dash pattern, named in the legend below.
 */
export function seriesChart(lines, months, { label } = {}) {
  const width = 600;
  const left = 44;
  const right = 16;
  const top = 12;
  const plotH = 150;
  const legendTop = top + plotH + 40;
  const height = legendTop + lines.length * 20;
  const plotW = width - left - right;
  const svg = frame(width, height, label);
  const highest = Math.max(0.01, ...lines.flatMap((l) => l.values.filter((v) => v !== null)));
  const max = Math.min(1, Math.ceil(highest * 10) / 10);
  for (const q of [0, 0.5, 1]) {
    const y = top + plotH * (1 - q);
    svg.append(s("line", { x1: left, x2: width - right, y1: y, y2: y, class: "chart-grid" }));
    svg.append(s("text", { x: left - 6, y: y + 4, class: "chart-axis", "text-anchor": "end" }, `${Math.round(q * max * 100)}%`));
  }
  const x = (i) => (months.length > 1 ? left + (i / (months.length - 1)) * plotW : left + plotW / 2);
  const y = (v) => top + plotH * (1 - v / max);
  const every = Math.ceil(months.length / 6);
  months.forEach((month, i) => {
    if (i % every && i !== months.length - 1) return;
    const [year, number] = month.split("-").map(Number);
    const text = new Date(year, number - 1, 1).toLocaleDateString(undefined, { month: "short", year: "numeric" });
    const anchor = i === 0 ? "start" : i === months.length - 1 ? "end" : "middle";
    svg.append(s("text", { x: x(i).toFixed(1), y: top + plotH + 20, class: "chart-axis", "text-anchor": anchor }, text));
  });
  lines.forEach((line, n) => {
    const points = line.values.map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`)).filter(Boolean);
    const path = s("polyline", { points: points.join(" "), class: `chart-series s${n}`, "data-skill": line.id || "" });
    path.append(s("title", {}, `${line.label}: ${line.values.map((v, i) => `${months[i]} ${v === null ? "no postings" : `${Math.round(v * 100)}%`}`).join(", ")}`));
    svg.append(path);
    const ly = legendTop + n * 20;
    svg.append(s("line", { x1: left, x2: left + 30, y1: ly - 4, y2: ly - 4, class: `chart-series s${n}` }));
    svg.append(s("text", { x: left + 38, y: ly, class: "chart-label" }, line.label));
  });
  return svg;
}
