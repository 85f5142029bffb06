// ravine studio: a control for every parameter of a scene's spec (the CLI's names, defaults and
// ranges): a select for a choice, X and Y boxes for a point, a number box with a slider (linear over
// a short range, logarithmic around the default otherwise) for a number, a text box for a list.
"use strict";

// ---------------------------------------------------------------- controls from the spec
function sliderScale(spec) {
  // a linear slider over a short finite range, a log slider around the default otherwise
  const lo = spec.min, hi = spec.max;
  if (spec.type === "int" && lo !== undefined && hi !== undefined && hi - lo <= 1000)
    return {kind: "linear", lo, hi, step: 1};
  if (spec.type !== "float" || lo === undefined || hi === undefined) return null;
  if (hi - lo <= 2) return {kind: "linear", lo, hi: spec.max_inclusive ? hi : hi - (hi - lo) / 1000, step: (hi - lo) / 1000};
  const base = typeof spec.default === "number" && spec.default > 0 ? spec.default : null;
  if (base === null || lo < 0) return null;
  return {kind: "log", lo: Math.max(lo > 0 ? lo : base / 100, base / 50), hi: Math.min(hi, base * 50)};
}

function toSlider(scale, value) {
  if (scale.kind === "linear") return value;
  const v = Math.min(Math.max(value, scale.lo), scale.hi);
  return 1000 * Math.log(v / scale.lo) / Math.log(scale.hi / scale.lo);
}

function fromSlider(scale, position) {
  if (scale.kind === "linear") return Number(position);
  const value = scale.lo * Math.pow(scale.hi / scale.lo, Number(position) / 1000);
  return Number(value.toPrecision(3));
}

function listen(element, handler) {
  // a value takes effect as it is typed or dragged ("input") and when it is committed ("change",
  // also what a script setting .value and dispatching one event sends)
  let last = null;
  const once = (event) => {
    if (event.type === "change" && element.value === last) return;
    last = element.value;
    handler(event);
  };
  element.addEventListener("input", once);
  element.addEventListener("change", once);
}

function buildControls(scene) {
  const form = $("params");
  form.replaceChildren();
  studio.values = {};
  for (const spec of scene.params) {
    studio.values[spec.name] = spec.default;
    const div = document.createElement("div");
    div.className = "param";
    div.dataset.option = spec.option;
    div.dataset.name = spec.name;
    const id = `param-${spec.name}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = spec.option;
    div.append(label);
    if (spec.type === "choice") {
      const select = document.createElement("select");
      select.id = id;
      for (const choice of spec.choices) select.append(new Option(choice, choice, false, choice === spec.default));
      select.addEventListener("change", (event) => changed(spec.name, select.value, event));
      div.append(select);
    } else if (spec.type === "point" && Array.isArray(spec.default) && spec.default.length === 2) {
      for (const [axis, index] of [["x", 0], ["y", 1]]) {
        const input = document.createElement("input");
        input.type = "number"; input.step = "any"; input.id = `${id}-${axis}`;
        input.value = spec.default[index];
        input.title = `${spec.option} ${axis}`;
        const moved = (event) => {
          const point = readPoint(spec.name);
          if (point) changed(spec.name, point, event);
        };
        listen(input, moved);
        div.append(input, " ");
      }
    } else if (spec.type === "bool") {
      const box = document.createElement("input");
      box.type = "checkbox"; box.id = id; box.checked = Boolean(spec.default);
      box.addEventListener("change", (event) => changed(spec.name, box.checked, event));
      div.append(box);
    } else {
      const numeric = spec.type === "float" || spec.type === "int";
      const input = document.createElement("input");
      input.id = id;
      input.type = numeric ? "number" : "text";
      if (numeric) input.step = spec.type === "int" ? "1" : "any";
      input.value = spec.default === null ? "" : (Array.isArray(spec.default) ? spec.default.join(",") : spec.default);
      input.placeholder = spec.default === null ? "unset" : "";
      const scale = numeric ? sliderScale(spec) : null;
      let slider = null;
      if (scale) {
        slider = document.createElement("input");
        slider.type = "range"; slider.id = `${id}-slider`;
        slider.min = scale.kind === "log" ? 0 : scale.lo;
        slider.max = scale.kind === "log" ? 1000 : scale.hi;
        slider.step = scale.kind === "log" ? 1 : scale.step;
        slider.value = toSlider(scale, spec.default ?? scale.lo);
        slider.setAttribute("aria-label", `${spec.option} slider`);
        listen(slider, (event) => {
          const value = fromSlider(scale, slider.value);
          input.value = spec.type === "int" ? Math.round(value) : value;
          changed(spec.name, spec.type === "int" ? Math.round(value) : value, event);
        });
      }
      listen(input, (event) => {
        const text = input.value.trim();
        const value = text === "" ? null : (numeric ? Number(text) : text);
        if (numeric && text !== "" && !Number.isFinite(value)) return;
        if (slider && value !== null) slider.value = toSlider(scale, value);
        changed(spec.name, value, event);
      });
      div.append(input);
      if (slider) div.append(slider);
    }
    const range = document.createElement("div");
    range.className = "range";
    range.textContent = `default ${JSON.stringify(spec.default)} · ${spec.range}`;
    const help = document.createElement("div");
    help.className = "help";
    help.textContent = spec.help;
    div.append(help, range);
    form.append(div);
  }
}

function readPoint(name) {
  const x = $(`param-${name}-x`).value.trim(), y = $(`param-${name}-y`).value.trim();
  if (x === "" || y === "" || !Number.isFinite(Number(x)) || !Number.isFinite(Number(y))) return null;
  return [Number(x), Number(y)];
}

function setControl(name, value) {
  // set a control from code (a drag, a test): the same path as typing into it
  const spec = studio.scene.params.find((p) => p.name === name);
  if (spec.type === "point") {
    $(`param-${name}-x`).value = value[0];
    $(`param-${name}-y`).value = value[1];
  } else if (spec.type === "choice") {
    $(`param-${name}`).value = value;
  } else {
    const input = $(`param-${name}`);
    input.value = value === null ? "" : value;
    const slider = $(`param-${name}-slider`);
    if (slider && value !== null) slider.value = toSlider(sliderScale(spec), value);
  }
}

function requestParams() {
  // the values as JSON: unset ones left out (the scene's default applies)
  const params = {};
  for (const spec of studio.scene.params) {
    const value = studio.values[spec.name];
    if (value === null || value === undefined || value === "") continue;
    if (JSON.stringify(value) === JSON.stringify(spec.default)) continue;
    params[spec.name] = value;
  }
  return params;
}
