// ravine studio: "Preview frame", "Render draft" and "Render final": queue a job, follow its
// progress (Server-Sent Events), show the still or play the clip with its captions track, its CLI
// command, TOML clip entry, manifest and embed snippet.
"use strict";

// ---------------------------------------------------------------- preview and render
function progressText(status) {
  if (status.state === "queued") return `${status.kind}: queued${status.position ? ` (${status.position} ahead)` : ""}`;
  if (status.state === "rendering") {
    const drawn = status.drawn === null ? "" : `, ${fmt(status.drawn, 3)} s of the clip drawn`;
    return `${status.kind}: rendering ${status.name} … ${fmt(status.elapsed, 3)} s${drawn}`;
  }
  if (status.state === "done") return `${status.kind}: done${status.clip && status.clip.cached ? " (cached)" : ""} in ${fmt(status.elapsed, 3)} s`;
  return `${status.kind} failed: ${status.error}`;
}

async function queue(path, body) {
  const line = $("progress");
  line.classList.remove("failed");
  let status;
  try {
    status = await api("POST", path, body);
  } catch (error) {
    line.classList.add("failed");
    line.textContent = error.message;
    return;
  }
  line.textContent = progressText(status);
  studio.lastJob = status.id;
  const events = new EventSource(`/api/jobs/${status.id}/events`);
  events.onmessage = (message) => {
    const now = JSON.parse(message.data);
    line.textContent = progressText(now);
    if (now.state === "done" || now.state === "failed") {
      events.close();
      line.classList.toggle("failed", now.state === "failed");
      if (now.state === "done") showResult(now);
    }
  };
  events.onerror = () => events.close();
}

function sceneBody() {
  return {scene: studio.scene.name, params: requestParams()};
}

$("preview").addEventListener("click", () => {
  const at = $("at").value.trim();
  queue("/api/preview", {...sceneBody(), at: at === "" ? null : Number(at)});
});
$("render-draft").addEventListener("click", () => queue("/api/renders", {...sceneBody(), quality: "low"}));
$("render-final").addEventListener("click", () => queue("/api/renders", {...sceneBody(), quality: "high"}));

function block(title, text, open) {
  const details = document.createElement("details");
  details.open = Boolean(open);
  details.append(Object.assign(document.createElement("summary"), {textContent: title}));
  const pre = document.createElement("pre");
  pre.textContent = text;
  details.append(pre);
  return details;
}

function showResult(status) {
  const clip = status.clip;
  const card = document.createElement("div");
  card.className = "result";
  card.dataset.job = status.id;
  card.append(Object.assign(document.createElement("h3"), {textContent: `${status.kind} · ${status.name}`}));
  const stamp = `?v=${Date.now()}`;
  if (status.format === "png") {
    card.append(Object.assign(document.createElement("img"), {src: clip.files.video + stamp, alt: `${status.scene} at ${$("at").value || "the end"}`}));
  } else {
    const video = document.createElement("video");
    video.controls = true; video.muted = true; video.preload = "auto"; video.playsInline = true;
    if (clip.files.poster) video.poster = clip.files.poster + stamp;
    video.src = clip.files.video + stamp;
    if (clip.files.vtt) {
      const track = document.createElement("track");
      track.kind = "captions"; track.srclang = "en"; track.label = "English"; track.src = clip.files.vtt + stamp;
      video.append(track);
    }
    card.append(video);
    video.play().catch(() => {});
  }
  card.append(block("CLI command", clip.cli, true), block("TOML clip entry", clip.toml),
              block("manifest", JSON.stringify(clip.manifest, null, 2)), block("embed snippet", clip.embed));
  $("results").prepend(card);
}
