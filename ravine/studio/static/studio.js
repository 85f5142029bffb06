// ravine studio: the page's state, requests, the navigator's update loop, play/pause/step/reset,
// dragging the start point and the scene picker. controls.js builds the parameter controls from a
// scene's spec, plot.js draws contours, runs and constants, renders.js runs previews and renders.
// Plain JS, no build step (classic scripts sharing these globals, loaded in that order; start()
// runs once all are loaded). Every number drawn comes from the server (the engine); the page only
// lays it out. window.studio exposes the state for tests (latencies in ms, input -> redraw).
"use strict";

const SIZE = 600;                 // plot size in CSS pixels (canvas and SVG)
const PLAY_STEPS_PER_SECOND = 20; // playback speed
const COLORS = ["#F28B50", "#58A6FF", "#7EE787", "#D2A8FF", "#F2CC60", "#FF7B72"];
const $ = (id) => document.getElementById(id);
const SVG_NS = "http://www.w3.org/2000/svg";

const studio = {
  scenes: [], scene: null, values: {}, nav: null, grid: null, gridKey: null,
  t: 0, playing: false, hidden: new Set(), latencies: [], updates: 0, pending: null, inFlight: false,
};
window.studio = studio;

// ---------------------------------------------------------------- requests
async function api(method, path, body) {
  const response = await fetch(path, {
    method, headers: body ? {"Content-Type": "application/json"} : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => ({error: `HTTP ${response.status}`}));
  if (!response.ok) throw Object.assign(new Error(data.error || `HTTP ${response.status}`), {status: response.status});
  return data;
}

function showProblem(message) {
  const box = $("problem");
  box.hidden = !message;
  box.textContent = message || "";
  for (const div of document.querySelectorAll(".param")) {
    const option = div.dataset.option;
    div.classList.toggle("bad", Boolean(message) && message.startsWith(option + " "));
  }
}

// ---------------------------------------------------------------- the navigator
function changed(name, value, event) {
  studio.values[name] = value;
  // latency is measured from the input event's own time stamp (same clock as performance.now())
  navigate(event && event.timeStamp > 0 ? Math.min(event.timeStamp, performance.now()) : performance.now());
}

function navigate(inputTime) {
  if (!studio.scene || !studio.scene.navigable) return;
  studio.pending = inputTime;
  if (!studio.inFlight) sendNavigate();
}

async function sendNavigate() {
  const inputTime = studio.pending;
  studio.pending = null;
  studio.inFlight = true;
  const scene = studio.scene;
  try {
    const nav = await api("POST", "/api/navigate", {scene: scene.name, params: requestParams()});
    if (scene !== studio.scene) return;
    const key = `${nav.landscape}|${nav.view.join(",")}`;
    if (key !== studio.gridKey) {
      studio.grid = await api("GET", `/api/contours?landscape=${encodeURIComponent(nav.landscape)}&view=${nav.view.join(",")}`);
      studio.gridKey = key;
      drawContours();
    }
    const wasAtEnd = !studio.nav || studio.t >= maxSteps(studio.nav);
    studio.nav = nav;
    if (wasAtEnd && !studio.playing) studio.t = maxSteps(nav);
    studio.t = Math.min(studio.t, maxSteps(nav));
    showProblem(null);
    drawRuns();
    showRunToggles();
    showConstants();
    requestAnimationFrame(() => {
      const ms = performance.now() - inputTime;
      studio.latencies.push(ms);
      studio.updates += 1;
      $("latency").textContent = `redrawn ${ms.toFixed(0)} ms after the change`;
    });
  } catch (error) {
    showProblem(error.message);
  } finally {
    studio.inFlight = false;
    if (studio.pending !== null) sendNavigate();
  }
}

function maxSteps(nav) {
  return Math.max(0, ...nav.runs.map((run) => run.theta.length - 1));
}

// ---------------------------------------------------------------- play, pause, step, reset
let lastFrame = null;
function tick(now) {
  if (!studio.playing || !studio.nav) return;
  if (lastFrame !== null) {
    studio.carry = (studio.carry || 0) + (now - lastFrame) / 1000 * PLAY_STEPS_PER_SECOND;
    const whole = Math.floor(studio.carry);
    studio.carry -= whole;
    studio.t = Math.min(maxSteps(studio.nav), studio.t + whole);
    drawRuns();
  }
  lastFrame = now;
  if (studio.t >= maxSteps(studio.nav)) return pause();
  requestAnimationFrame(tick);
}

function play() {
  if (!studio.nav) return;
  if (studio.t >= maxSteps(studio.nav)) studio.t = 0;
  studio.playing = true; lastFrame = null; studio.carry = 0;
  $("play").textContent = "Pause";
  requestAnimationFrame(tick);
}

function pause() {
  studio.playing = false;
  $("play").textContent = "Run";
}

$("play").addEventListener("click", () => (studio.playing ? pause() : play()));
$("step").addEventListener("click", () => {
  if (!studio.nav) return;
  pause();
  studio.t = Math.min(maxSteps(studio.nav), studio.t + 1);
  drawRuns();
});
$("reset").addEventListener("click", () => {
  pause();
  studio.t = 0;
  if (studio.nav) drawRuns();
});

// ---------------------------------------------------------------- dragging the start point
function dragTo(event) {
  const box = $("paths").getBoundingClientRect();
  const [x, y] = toData(studio.nav.view, (event.clientX - box.left) * SIZE / box.width,
                        (event.clientY - box.top) * SIZE / box.height);
  const point = [Number(x.toFixed(2)), Number(y.toFixed(2))];
  setControl("start", point);
  changed("start", point, event);
}

$("paths").addEventListener("pointerdown", (event) => {
  if (!studio.nav || !("start" in studio.values)) return;
  studio.dragging = true;
  $("paths").setPointerCapture(event.pointerId);
  dragTo(event);
});
$("paths").addEventListener("pointermove", (event) => { if (studio.dragging) dragTo(event); });
for (const type of ["pointerup", "pointercancel"]) {
  $("paths").addEventListener(type, () => { studio.dragging = false; });
}

// ---------------------------------------------------------------- scenes
async function pickScene(name) {
  pause();
  studio.scene = studio.scenes.find((scene) => scene.name === name);
  studio.nav = null; studio.t = 0; studio.hidden.clear();
  $("description").textContent = studio.scene.description;
  buildControls(studio.scene);
  showProblem(null);
  $("runs").replaceChildren(); delete $("runs").dataset.labels;
  $("constants").replaceChildren(); $("warnings").replaceChildren();
  const navigable = studio.scene.navigable;
  for (const id of ["plot", "transport", "runs", "constants", "warnings"]) $(id).hidden = !navigable;
  $("not-navigable").hidden = navigable;
  if (navigable) navigate(performance.now());
}

async function start() {
  studio.scenes = await api("GET", "/api/scenes");
  const select = $("scene");
  for (const scene of studio.scenes) select.append(new Option(scene.name, scene.name));
  select.addEventListener("change", () => pickScene(select.value));
  const wanted = new URLSearchParams(location.search).get("scene");
  const first = studio.scenes.find((scene) => scene.name === wanted) || studio.scenes.find((scene) => scene.name === "ravine-race") || studio.scenes[0];
  select.value = first.name;
  await pickScene(first.name);
  studio.ready = true;
}

window.addEventListener("DOMContentLoaded", () => start().catch((error) => showProblem(error.message)));
