// Charts as inline SVG (no library): horizontal bars and a line over time. Colours come from style.css.

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

/** A line through points ({label, value, title}) with value in 0..1, gridlines at every quarter. */
export function lineChart(points, { label } = {}) {
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
  const step = points.length > 1 ? plotW / (points.length - 1) : 0;
  const xy = points.map((p, i) => [left + (points.length > 1 ? i * step : plotW / 2), top + plotH * (1 - p.value)]);
  if (xy.length > 1) {
    svg.append(s("polyline", { points: xy.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" "), class: "chart-line" }));
  }
  const every = Math.ceil(points.length / 6);
  points.forEach((p, i) => {
    const [x, y] = xy[i];
    const dot = s("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 5, class: "chart-dot" });
    dot.append(s("title", {}, p.title || `${p.label}: ${Math.round(p.value * 100)}%`));
    svg.append(dot);
    if (i % every === 0 || i === points.length - 1) {
      const anchor = points.length === 1 ? "middle" : i === 0 ? "start" : i === points.length - 1 ? "end" : "middle";
      svg.append(s("text", { x: x.toFixed(1), y: height - bottom + 18, class: "chart-axis", "text-anchor": anchor }, p.label));
    }
  });
  return svg;
}
