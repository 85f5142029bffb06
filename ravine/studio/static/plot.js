// ravine studio: the plot (the engine's log-loss grid shaded and contoured on a canvas, every run's
// path, ball and the start handle in SVG) and the table of derived constants and warnings.
"use strict";

function toPixel(view, point) {
  const [xmin, xmax, ymin, ymax] = view;
  return [(point[0] - xmin) / (xmax - xmin) * SIZE, SIZE - (point[1] - ymin) / (ymax - ymin) * SIZE];
}

function toData(view, px, py) {
  const [xmin, xmax, ymin, ymax] = view;
  return [xmin + px / SIZE * (xmax - xmin), ymin + (SIZE - py) / SIZE * (ymax - ymin)];
}

function drawContours() {
  // a faint log-loss shading and marching-squares contour lines through the engine's grid
  const canvas = $("contours");
  const ratio = window.devicePixelRatio || 1;
  canvas.width = SIZE * ratio; canvas.height = SIZE * ratio;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.fillStyle = "#0B0E11";
  ctx.fillRect(0, 0, SIZE, SIZE);
  const grid = studio.grid;
  if (!grid) return;
  const n = grid.size, v = grid.values;
  let vmin = Infinity, vmax = -Infinity;
  for (const value of v) { vmin = Math.min(vmin, value); vmax = Math.max(vmax, value); }
  const cell = SIZE / (n - 1);
  // the shading: one pixel per grid point (row 0 is ymin, drawn at the bottom), smoothed up to size
  const shade = document.createElement("canvas");
  shade.width = n; shade.height = n;
  const image = shade.getContext("2d").createImageData(n, n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const share = Math.min(1, Math.max(0, (v[j * n + i] - vmin) / (vmax - vmin || 1)));
      const at = 4 * ((n - 1 - j) * n + i);
      image.data.set([11 + 18 * share, 14 + 34 * share, 17 + 58 * share, 255], at);
    }
  }
  shade.getContext("2d").putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(shade, 0, 0, n, n, -cell / 2, -cell / 2, SIZE + cell, SIZE + cell);
  const px = (i) => i * cell, py = (j) => SIZE - j * cell;
  grid.levels.forEach((level, index) => {
    ctx.strokeStyle = `rgba(170, 200, 235, ${0.25 + 0.5 * (1 - index / grid.levels.length)})`;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let j = 0; j < n - 1; j++) {
      for (let i = 0; i < n - 1; i++) {
        const a = v[j * n + i], b = v[j * n + i + 1], c = v[(j + 1) * n + i + 1], d = v[(j + 1) * n + i];
        const points = [];
        const edge = (p, q, x0, y0, x1, y1) => {
          if ((p < level) !== (q < level)) {
            const s = (level - p) / (q - p);
            points.push([px(x0 + s * (x1 - x0)), py(y0 + s * (y1 - y0))]);
          }
        };
        edge(a, b, i, j, i + 1, j);
        edge(b, c, i + 1, j, i + 1, j + 1);
        edge(c, d, i + 1, j + 1, i, j + 1);
        edge(d, a, i, j + 1, i, j);
        for (let k = 0; k + 1 < points.length; k += 2) {
          ctx.moveTo(points[k][0], points[k][1]);
          ctx.lineTo(points[k + 1][0], points[k + 1][1]);
        }
      }
    }
    ctx.stroke();
  });
}

function svg(tag, attributes) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

const REACH = [-SIZE, 2 * SIZE]; // pixels: a path is drawn until it leaves this box (a diverging run)

function inReach(x, y) {
  return x >= REACH[0] && x <= REACH[1] && y >= REACH[0] && y <= REACH[1];
}

function pathData(view, theta, upto) {
  // the run's points 0..upto in pixels, cut where it first leaves REACH (at the box's edge), so a
  // diverging run is not drawn out to a million pixels
  let d = "", previous = null;
  for (let k = 0; k <= upto && k < theta.length; k++) {
    let [x, y] = toPixel(view, theta[k]);
    const out = !inReach(x, y);
    if (out && previous) {
      const [px, py] = previous;
      let share = 1;
      for (const [from, to] of [[px, x], [py, y]]) {
        for (const edge of REACH) {
          const s = (edge - from) / (to - from);
          if (to !== from && s >= 0 && s < share) share = s;
        }
      }
      x = px + share * (x - px); y = py + share * (y - py);
    }
    if (out && !previous) break;
    d += `${k ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`;
    if (out) break;
    previous = [x, y];
  }
  return d;
}

function drawRuns() {
  const layer = $("paths");
  layer.replaceChildren();
  const nav = studio.nav;
  if (!nav) return;
  const view = nav.view;
  const [mx, my] = toPixel(view, nav.minimizer);
  layer.append(svg("path", {d: `M${mx - 6},${my}H${mx + 6}M${mx},${my - 6}V${my + 6}`, stroke: "#E8EAED",
                             "stroke-width": 1.5, id: "minimizer"}));
  nav.runs.forEach((run, index) => {
    if (studio.hidden.has(run.label)) return;
    const color = COLORS[index % COLORS.length];
    layer.append(svg("path", {id: `run-${index}-ghost`, class: "ghost", d: pathData(view, run.theta, run.theta.length),
                              fill: "none", stroke: color, "stroke-opacity": 0.28, "stroke-width": 1.2,
                              "stroke-dasharray": "3 3", "data-label": run.label}));
    layer.append(svg("path", {id: `run-${index}`, class: "run", d: pathData(view, run.theta, studio.t),
                              fill: "none", stroke: color, "stroke-width": 2.2, "stroke-linejoin": "round",
                              "data-label": run.label}));
    const k = Math.min(studio.t, run.theta.length - 1);
    const [x, y] = toPixel(view, run.theta[k]);
    layer.append(svg("circle", {cx: x, cy: y, r: 5, fill: color, id: `run-${index}-ball`}));
  });
  const start = studio.values.start;
  if (Array.isArray(start)) {
    const [sx, sy] = toPixel(view, start);
    layer.append(svg("circle", {id: "start-handle", cx: sx, cy: sy, r: 8, fill: "none", stroke: "#E8EAED",
                                "stroke-width": 2}));
  }
  $("step-count").textContent = `step ${studio.t} / ${maxSteps(nav)}`;
}

function showRunToggles() {
  const box = $("runs");
  const labels = studio.nav.runs.map((run) => run.label);
  if (box.dataset.labels === labels.join("|")) return;
  box.dataset.labels = labels.join("|");
  box.replaceChildren();
  labels.forEach((label, index) => {
    const toggle = document.createElement("label");
    const check = document.createElement("input");
    check.type = "checkbox"; check.checked = !studio.hidden.has(label);
    check.dataset.run = label;
    check.addEventListener("change", () => {
      if (check.checked) studio.hidden.delete(label); else studio.hidden.add(label);
      drawRuns();
    });
    const swatch = document.createElement("span");
    swatch.className = "swatch"; swatch.style.background = COLORS[index % COLORS.length];
    toggle.append(check, " ", swatch, label);
    box.append(toggle);
  });
}

function fmt(value, digits = 4) {
  if (value === null || value === undefined) return "–";
  if (typeof value !== "number") return String(value);
  return Math.abs(value) >= 1e4 || (Math.abs(value) < 1e-3 && value !== 0) ? value.toExponential(2) : Number(value.toPrecision(digits)).toString();
}

function showConstants() {
  const nav = studio.nav, c = nav.constants;
  const rows = [
    ["λmin, λmax", `${fmt(c.lambda_min)}, ${fmt(c.lambda_max)}`],
    ["κ = λmax/λmin", fmt(c.kappa)],
    ["GD ceiling 2/λmax", fmt(c.gd_stability_bound)],
    ["momentum ceiling (2+2β)/λmax", fmt(c.momentum_stability_bound)],
    ["effective step ×1/(1−β)", fmt(c.effective_step_multiplier)],
    ["optimal η*, β*, rate", `${fmt(c.optimal_lr)}, ${fmt(c.optimal_beta)}, ${fmt(c.optimal_rate)}`],
  ];
  const table = $("constants");
  table.replaceChildren();
  for (const [name, value] of rows) {
    const tr = table.insertRow();
    tr.append(Object.assign(document.createElement("th"), {textContent: name}));
    tr.insertCell().textContent = value;
  }
  nav.runs.forEach((run) => {
    const tr = table.insertRow();
    tr.className = "run";
    tr.append(Object.assign(document.createElement("th"), {textContent: run.label}));
    const settled = run.settled_step === null ? "not within the run" : `settled at step ${run.settled_step}`;
    tr.insertCell().textContent = `η ${fmt(run.lr)}${run.optimizer === "gd" ? "" : `, β ${fmt(run.beta)}`} · rate ${fmt(run.rate)} · ${run.verdict} · ${settled}`;
  });
  const list = $("warnings");
  list.replaceChildren(...nav.warnings.map((text) => Object.assign(document.createElement("li"), {textContent: text})));
}
