// Crossflow live board: plain DOM + SVG, no build step, nothing from a CDN.
// Streamlit calls the default export on mount and again whenever `data` changes; the board's
// state lives on its root element, so a call with a newer flow only patches what changed (by id)
// and a drag, a rename or a note being typed survives other people's changes.

const GEOMETRY = {
  normal: { col: 170, row: 112, lane: 12, boxW: 0.86, boxH: 0.8, gutter: 92, minFit: 0.72 },
  projector: { col: 250, row: 150, lane: 12, boxW: 0.88, boxH: 0.8, gutter: 150, minFit: 1 },
};
// Lane names sit in a fixed gutter at the left of the view (not scaled), so they stay readable
// at any zoom; a flow wider than the screen opens at a readable zoom (minFit) and pans.
const NOTE_ICONS = { comment: "💬", data_quality: "⚠", risk: "⚡", question: "❓" };
const SVG = "http://www.w3.org/2000/svg";

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  const root = parentElement.querySelector(".cf-root");
  if (!root) return;
  let B = root.__cf;
  if (!B) B = root.__cf = init(root);
  B.send = setTriggerValue;
  // A rerun that drew an older version than the board already shows (pushed meanwhile) brings nothing
  // new, unless it answers this person's own gesture (ack) or carries a notice.
  const older = B.data && data.version < B.data.version && data.ack === B.data.ack && !data.notice;
  if (!older) render(B, data);
  return () => {
    // Streamlit may call this between renders; only tear down once the board is really gone.
    setTimeout(() => {
      if (!root.isConnected) B.teardown();
    }, 0);
  };
}

// ------------------------------------------------------------------------------------ set-up

function init(root) {
  const B = {
    root,
    data: null,
    cards: new Map(),
    lanes: new Map(),
    wires: new Map(),
    z: 1,
    tx: 0,
    ty: 0,
    fitted: false,
    userMoved: false,
    projector: localStorage.getItem("crossflow.projector") === "1",
    selected: null,
    selectedWire: null,
    drag: null,
    edit: null,
    noticeSeen: 0,
    pendingSeq: 0,
    people: [],
    listeners: [],
  };
  root.tabIndex = 0;
  root.setAttribute("role", "application");
  root.setAttribute("aria-label", "Flow board");

  const bar = el("div", "cf-bar");
  B.bar = bar;
  const tools = el("div", "cf-group");
  B.fitBtn = button(tools, "⤢ Fit", "Fit the whole flow on screen (F)", () => fit(B, true));
  button(tools, "−", "Zoom out (-)", () => zoomBy(B, 1 / 1.2));
  button(tools, "+", "Zoom in (+)", () => zoomBy(B, 1.2));
  B.projBtn = button(tools, "📽 Projector", "Large, high-contrast labels for a projector", () => {
    B.projector = !B.projector;
    localStorage.setItem("crossflow.projector", B.projector ? "1" : "0");
    relayout(B);
  });
  bar.appendChild(tools);

  B.notes = el("div", "cf-group cf-notes");
  B.notes.appendChild(el("span", "cf-label", "Drop a note:"));
  bar.appendChild(B.notes);

  B.peekBtn = button(bar, "👁 Peek", "Privately show the room's leading proposals on your screen (not for the projector)", () =>
    send(B, { op: "peek", on: !B.data.peek }),
  );
  B.status = el("span", "cf-status");
  bar.appendChild(B.status);
  root.appendChild(bar);

  B.hint = el("div", "cf-hint");
  root.appendChild(B.hint);
  B.msg = el("div", "cf-msg");
  B.msg.setAttribute("role", "status");
  B.msg.setAttribute("aria-live", "polite");
  root.appendChild(B.msg);

  B.view = el("div", "cf-view");
  B.world = el("div", "cf-world");
  B.lanesLayer = el("div", "cf-lanes");
  B.wireSvg = svg("svg", { class: "cf-wires" });
  const defs = svg("defs");
  for (const [id, colour] of [["cf-arrow", "#555"], ["cf-arrow-loop", "#7b1fa2"], ["cf-arrow-bad", "#c62828"], ["cf-arrow-sel", "#1565c0"]]) {
    const m = svg("marker", { id, viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" });
    m.appendChild(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: colour }));
    defs.appendChild(m);
  }
  B.wireSvg.appendChild(defs);
  B.wireGroup = svg("g");
  B.wireSvg.appendChild(B.wireGroup);
  B.tempLine = svg("path", { class: "cf-temp", d: "" });
  B.wireSvg.appendChild(B.tempLine);
  B.cardsLayer = el("div", "cf-cards");
  B.world.append(B.lanesLayer, B.wireSvg, B.cardsLayer);
  B.gutter = el("div", "cf-gutter");
  B.view.append(B.world, B.gutter);
  root.appendChild(B.view);
  // What can be done with the selection floats over the board: in the toolbar it made the toolbar
  // wrap or unwrap on every (de)selection, moving the board under the pointer between two clicks.
  B.selGroup = el("div", "cf-group cf-sel-tools");
  B.selGroup.setAttribute("role", "toolbar");
  B.selGroup.setAttribute("aria-label", "Selected item");
  root.appendChild(B.selGroup);

  root.addEventListener("keydown", (e) => onKey(B, e));
  B.view.addEventListener("pointerdown", (e) => onPointerDown(B, e));
  B.view.addEventListener("wheel", (e) => onWheel(B, e), { passive: false });
  listen(B, window, "crossflow:presence", (e) => {
    B.people = (e.detail && e.detail.people) || [];
    drawPresence(B);
  });
  listen(B, window, "crossflow:live", (e) => {
    const d = e.detail || {};
    B.live = d.mode === "push" ? "● live (push)" : "○ live (polling)";
    drawStatus(B);
  });
  // A newer board pushed by the live listener (assets/live_listener.js) from the view route: only the
  // cards changed for this person (a comment, a leading tag), so the page is not rerun for it.
  listen(B, window, "crossflow:board", (e) => {
    const d = e.detail;
    if (!d || !B.data || d.workshop !== B.data.workshop || d.me.id !== B.data.me.id) return;
    if (d.version <= B.data.version) return;
    render(B, { ...d, peek: B.data.peek, notice: B.data.notice, ack: B.data.ack });
  });
  listen(B, window, "resize", () => {
    sizeRoot(B);
    if (!B.userMoved) requestAnimationFrame(() => fit(B, false));
  });
  B.teardown = () => {
    for (const [target, type, fn] of B.listeners) target.removeEventListener(type, fn);
    B.listeners = [];
  };
  return B;
}

function listen(B, target, type, fn) {
  target.addEventListener(type, fn);
  B.listeners.push([target, type, fn]);
}

function button(parent, text, title, onClick) {
  const b = el("button", "cf-btn", text);
  b.type = "button";
  b.title = title;
  b.addEventListener("click", (e) => {
    e.stopPropagation();
    onClick();
  });
  parent.appendChild(b);
  return b;
}

function send(B, action) {
  const seq = Date.now();
  B.pendingSeq = seq;
  // An edit carries the version it was based on: a drag or rename started before someone else's
  // change is refused as stale (first save wins) even if the page redrew meanwhile.
  B.send("action", { base: B.data.version, ...action, seq });
}

function notice(B, text) {
  B.msg.textContent = text;
  B.msg.classList.add("cf-msg-on");
  clearTimeout(B.msgTimer);
  B.msgTimer = setTimeout(() => B.msg.classList.remove("cf-msg-on"), 9000);
}

function geo(B) {
  return B.projector ? GEOMETRY.projector : GEOMETRY.normal;
}

// ------------------------------------------------------------------------------------ drawing

function render(B, data) {
  const first = !B.data;
  B.data = data;
  B.root.classList.toggle("cf-projector", B.projector);
  B.root.classList.toggle("cf-readonly", !data.can.edit);
  B.projBtn.classList.toggle("cf-on", B.projector);
  drawNotesPalette(B);
  drawLanes(B);
  drawWires(B);
  drawCards(B);
  drawPresence(B);
  drawSelectionTools(B);
  drawStatus(B);
  drawHint(B);
  if (data.notice && data.notice.seq && data.notice.seq !== B.noticeSeen) {
    B.noticeSeen = data.notice.seq;
    notice(B, data.notice.text);
  }
  if (data.ack && data.ack >= B.pendingSeq) {
    B.pendingSeq = 0;
    for (const c of B.cards.values()) c.classList.remove("cf-saving");
  }
  sizeRoot(B);
  if (first || !B.fitted) requestAnimationFrame(() => fit(B, false));
}

function relayout(B) {
  B.root.classList.toggle("cf-projector", B.projector);
  B.projBtn.classList.toggle("cf-on", B.projector);
  for (const c of B.cards.values()) c.__json = null;
  for (const w of B.wires.values()) w.__json = null;
  drawLanes(B, true);
  drawWires(B);
  drawCards(B);
  fit(B, true);
}

function sizeRoot(B) {
  // The board fills the rest of the first screen (the page above it is a compact bar).
  const top = B.root.getBoundingClientRect().top + window.scrollY;
  const h = Math.max(360, window.innerHeight - top - 16);
  B.root.style.height = `${h}px`;
}

function worldSize(B) {
  const g = geo(B);
  return { w: g.lane + B.data.columns * g.col + 30, h: Math.max(1, B.data.rows) * g.row };
}

function drawLanes(B) {
  const g = geo(B);
  const size = worldSize(B);
  B.world.style.width = `${size.w}px`;
  B.world.style.height = `${size.h}px`;
  B.wireSvg.setAttribute("width", size.w);
  B.wireSvg.setAttribute("height", size.h);
  const seen = new Set();
  B.data.lanes.forEach((lane, i) => {
    seen.add(lane.id);
    let e = B.lanes.get(lane.id);
    if (!e) {
      e = el("div", "cf-lane");
      e.dataset.lane = lane.id;
      e.__name = el("div", "cf-lane-name");
      B.lanesLayer.appendChild(e);
      B.gutter.appendChild(e.__name);
      B.lanes.set(lane.id, e);
    }
    e.style.top = `${lane.top * g.row}px`;
    e.style.height = `${lane.height * g.row}px`;
    e.style.width = `${size.w}px`;
    e.style.setProperty("--lane", lane.colour);
    e.classList.toggle("cf-odd", i % 2 === 1);
    e.__name.textContent = lane.name;
    e.__name.style.setProperty("--lane", lane.colour);
    e.__lane = lane;
    e.setAttribute("aria-label", `Lane ${lane.name}`);
  });
  for (const [id, e] of B.lanes) if (!seen.has(id)) (e.remove(), e.__name.remove(), B.lanes.delete(id));
  placeGutter(B);
}

function placeGutter(B) {
  const g = geo(B);
  B.gutter.style.width = `${g.gutter}px`;
  for (const e of B.lanes.values()) {
    const lane = e.__lane;
    if (!lane) continue;
    e.__name.style.top = `${B.ty + lane.top * g.row * B.z}px`;
    e.__name.style.height = `${lane.height * g.row * B.z}px`;
  }
}

function pt(B, p) {
  const g = geo(B);
  return [g.lane + p[0] * g.col, p[1] * g.row];
}

function drawWires(B) {
  const seen = new Set();
  for (const w of B.data.wires) {
    seen.add(w.id);
    let e = B.wires.get(w.id);
    const json = JSON.stringify(w) + B.projector;
    if (!e) {
      e = svg("g", { class: "cf-wire" });
      e.dataset.id = w.id;
      e.appendChild(svg("path", { class: "cf-wire-line" }));
      e.appendChild(svg("path", { class: "cf-wire-hit" }));
      e.appendChild(svg("text", { class: "cf-wire-note" }));
      B.wireGroup.appendChild(e);
      B.wires.set(w.id, e);
    }
    if (e.__json !== json) {
      e.__json = json;
      const pts = w.points.map((p) => pt(B, p));
      const d = pts.map((p, i) => `${i ? "L" : "M"}${p[0].toFixed(1)},${p[1].toFixed(1)}`).join(" ");
      e.children[0].setAttribute("d", d);
      e.children[1].setAttribute("d", d);
      e.classList.toggle("cf-loop", !!w.loop);
      e.classList.toggle("cf-bad", !!w.bad);
      const names = cardNames(B);
      const label = `Hand-off ${w.id} from ${names[w.source] || w.source} to ${names[w.target] || w.target}`;
      e.setAttribute("aria-label", label);
      e.setAttribute("role", "button");
      const title = e.querySelector("title") || e.appendChild(svg("title"));
      title.textContent = label + (w.notes ? ` · ${w.notes} open notes` : "");
      const mid = pts[Math.floor(pts.length / 2)] || [0, 0];
      e.children[2].setAttribute("x", mid[0] + 4);
      e.children[2].setAttribute("y", mid[1] - 6);
      e.children[2].textContent = w.notes ? `💬${w.notes}` : "";
    }
    e.classList.toggle("cf-sel", B.selectedWire === w.id);
    const line = e.children[0];
    line.setAttribute(
      "marker-end",
      `url(#${B.selectedWire === w.id ? "cf-arrow-sel" : w.bad ? "cf-arrow-bad" : w.loop ? "cf-arrow-loop" : "cf-arrow"})`,
    );
  }
  for (const [id, e] of B.wires) if (!seen.has(id)) (e.remove(), B.wires.delete(id));
  if (B.selectedWire && !B.wires.has(B.selectedWire)) B.selectedWire = null;
}

function cardNames(B) {
  const names = {};
  for (const c of B.data.cards) names[c.id] = c.name;
  return names;
}

function cardBox(B, c) {
  const g = geo(B);
  const w = g.boxW * g.col;
  const h = g.boxH * g.row;
  return { left: g.lane + (c.x + 0.5) * g.col - w / 2, top: c.y * g.row - h / 2, w, h };
}

function drawCards(B) {
  const seen = new Set();
  for (const c of B.data.cards) {
    seen.add(c.id);
    let e = B.cards.get(c.id);
    if (!e) {
      e = el("div", "cf-card");
      e.dataset.id = c.id;
      e.tabIndex = -1;
      e.setAttribute("role", "button");
      e.innerHTML =
        '<div class="cf-top"><span class="cf-n"></span><span class="cf-tag"></span><span class="cf-mine"></span></div>' +
        '<div class="cf-name"></div>' +
        '<div class="cf-foot"><span class="cf-pca"></span><span class="cf-break"></span><span class="cf-count"></span><span class="cf-focus"></span></div>' +
        '<div class="cf-people"></div><div class="cf-handle" title="Drag from here to another step to draw a hand-off"></div>';
      B.cardsLayer.appendChild(e);
      B.cards.set(c.id, e);
    }
    const busy = (B.drag && B.drag.id === c.id && B.drag.moving) || (B.edit && B.edit.id === c.id);
    const json = JSON.stringify(c) + B.projector;
    if (e.__json !== json && !busy) {
      e.__json = json;
      fillCard(B, e, c);
    } else if (busy) {
      e.__pending = true; // applied when the drag or rename ends
    }
    e.classList.toggle("cf-selected", B.selected === c.id);
  }
  for (const [id, e] of B.cards) {
    if (seen.has(id)) continue;
    if (B.drag && B.drag.id === id) {
      B.drag = null;
      notice(B, "That step was just deleted by someone else.");
    }
    e.remove();
    B.cards.delete(id);
  }
  if (B.selected && !B.cards.has(B.selected)) B.selected = null;
}

function fillCard(B, e, c) {
  const box = cardBox(B, c);
  e.style.left = `${box.left}px`;
  e.style.top = `${box.top}px`;
  e.style.width = `${box.w}px`;
  e.style.height = `${box.h}px`;
  const words = B.data.tagWords;
  const shapes = B.data.tagShapes;
  const tag = e.querySelector(".cf-tag");
  // One short top line: the room's tag (settled, or leading once revealed), else your own proposal.
  const mine = e.querySelector(".cf-mine");
  if (!c.tag && c.mine) {
    tag.className = `cf-tag cf-tag-${c.mine} cf-tag-mine`;
    tag.textContent = `you: ${shapes[c.mine]} ${words[c.mine]}`;
    mine.textContent = "";
  } else {
    tag.className = `cf-tag cf-tag-${c.tag || "none"}`;
    tag.textContent = c.tag ? `${c.tagWhy === "leading" ? "≈ " : ""}${shapes[c.tag]} ${words[c.tag]}` : "● untagged";
    tag.title = c.tag ? (c.tagWhy === "leading" ? "The room's leading proposal (≈), not settled yet" : "Settled") : "";
    mine.textContent = c.mine ? `you: ${shapes[c.mine]}` : "";
    mine.title = c.mine ? `Your proposal: ${words[c.mine]}` : "";
  }
  e.querySelector(".cf-n").textContent = String(c.n);
  e.querySelector(".cf-name").textContent = c.name;
  e.querySelector(".cf-pca").textContent = `%C&A ${c.pca}`;
  e.querySelector(".cf-break").textContent = c.break ? "⚠ break" : "";
  e.querySelector(".cf-count").textContent = c.notes ? `💬 ${c.notes}` : "";
  e.querySelector(".cf-focus").textContent = c.focus ? "◉ focus" : "";
  e.classList.toggle("cf-is-break", !!c.break);
  e.classList.toggle("cf-is-focus", !!c.focus);
  e.setAttribute(
    "aria-label",
    `Step ${c.n}: ${c.name}. Tag: ${c.tag ? words[c.tag] : "untagged"}.` +
      (c.mine ? ` Your proposal: ${words[c.mine]}.` : "") +
      ` %C&A ${c.pca}.` +
      (c.break ? " Data-quality break point." : "") +
      (c.notes ? ` ${c.notes} open notes.` : "") +
      (c.focus ? " In focus." : ""),
  );
  e.__pending = false;
}

function drawPresence(B) {
  for (const e of B.cards.values()) {
    e.querySelector(".cf-people").textContent = "";
    e.classList.remove("cf-watched");
  }
  const me = B.data && B.data.me.id;
  const byStep = {};
  for (const p of B.people || []) {
    if (!p || !p.step || p.id === me) continue;
    (byStep[p.step] = byStep[p.step] || []).push(p);
  }
  for (const [step, people] of Object.entries(byStep)) {
    const e = B.cards.get(step);
    if (!e) continue;
    e.classList.add("cf-watched");
    const box = e.querySelector(".cf-people");
    for (const p of people.slice(0, 3)) {
      const chip = el("span", "cf-who", initials(p.name));
      chip.title = `${p.name}${p.function ? ` (${p.function})` : ""} has this step selected`;
      chip.setAttribute("aria-label", chip.title);
      box.appendChild(chip);
    }
    if (people.length > 3) box.appendChild(el("span", "cf-who", `+${people.length - 3}`));
  }
}

function initials(name) {
  const parts = String(name || "?").trim().split(/\s+/);
  return (parts[0][0] + (parts.length > 1 ? parts[parts.length - 1][0] : "")).toUpperCase();
}

function drawNotesPalette(B) {
  if (!B.notes.__built) {
    B.notes.__built = true;
    for (const [kind, label] of Object.entries(B.data.noteKinds)) {
      const chip = el("span", `cf-chip cf-chip-${kind}`, `${NOTE_ICONS[kind] || "•"} ${label}`);
      chip.dataset.kind = kind;
      chip.title = `Drag onto a step or a hand-off to add a ${label.toLowerCase()}`;
      chip.addEventListener("pointerdown", (e) => startNoteDrag(B, e, kind, label));
      B.notes.appendChild(chip);
    }
  }
  B.notes.classList.toggle("cf-disabled", !B.data.can.comment);
}

function drawSelectionTools(B) {
  const g = B.selGroup;
  g.textContent = "";
  const d = B.data;
  if (B.selected && B.cards.has(B.selected)) {
    const card = d.cards.find((c) => c.id === B.selected);
    if (d.can.propose) {
      g.appendChild(el("span", "cf-label", "Propose:"));
      ["human", "augment", "automate"].forEach((tag, i) => {
        const b = button(g, `${i + 1} ${d.tagShapes[tag]} ${d.tagWords[tag]}`, `Propose ${d.tagWords[tag]} for ${card.name} (key ${i + 1})`, () =>
          propose(B, tag),
        );
        b.classList.toggle("cf-on", card.mine === tag);
      });
    }
    button(g, "Open ↵", `Open ${card.name} (Enter)`, () => send(B, { op: "open", step: B.selected }));
  } else if (B.selectedWire) {
    const b = button(g, "🗑 Delete hand-off", "Delete the selected hand-off (Delete key)", () => deleteWire(B));
    b.disabled = !d.can.edit;
  }
  B.peekBtn.style.display = d.me.facilitator && !d.revealed ? "" : "none";
  B.peekBtn.classList.toggle("cf-on", !!d.peek);
  B.peekBtn.textContent = d.peek ? "🙈 Stop peeking" : "👁 Peek";
}

function drawStatus(B) {
  if (!B.data) return;
  const d = B.data;
  const parts = [];
  if (!d.can.edit) parts.push(d.locked ? "🔒 Editing locked" : `🔒 Map editing closed in “${d.phaseTitle}”`);
  if (B.live) parts.push(B.live);
  B.status.textContent = parts.join(" · ");
}

function drawHint(B) {
  const d = B.data;
  const bits = [];
  if (d.can.edit) bits.push("Drag a card to move it · drag its ● to another card: hand-off · double-click: rename / add a step");
  if (d.can.propose) bits.push("Click a step, then 1 / 2 / 3 proposes human / augment / automate");
  bits.push("Enter opens it · drag the background to pan");
  B.hint.textContent = bits.join(" · ");
}

// ------------------------------------------------------------------------------------ view

function applyView(B) {
  B.world.style.transform = `translate(${B.tx}px, ${B.ty}px) scale(${B.z})`;
  placeGutter(B);
}

function fit(B, byUser) {
  const vw = B.view.clientWidth;
  const vh = B.view.clientHeight;
  if (!vw || !vh || !B.data) return;
  const g = geo(B);
  const size = worldSize(B);
  const room = vw - g.gutter - 8;
  let z = Math.min(room / size.w, (vh - 12) / size.h, 1.25);
  // The board opens readable (minFit; >= 18 px labels in projector mode) and pans for the rest;
  // the Fit button shows the whole flow, however small (never below 18 px labels on the projector).
  z = Math.max(z, byUser ? (B.projector ? g.minFit : 0.25) : g.minFit);
  B.z = z;
  B.tx = g.gutter + Math.max(0, (room - size.w * z) / 2);
  B.ty = 6; // top-aligned: the first lanes sit right under the bar
  B.fitted = true;
  if (byUser) B.userMoved = false;
  applyView(B);
}

function zoomBy(B, f, cx, cy) {
  const rect = B.view.getBoundingClientRect();
  const px = cx === undefined ? rect.width / 2 : cx - rect.left;
  const py = cy === undefined ? rect.height / 2 : cy - rect.top;
  const z = Math.min(3, Math.max(B.projector ? 1 : 0.25, B.z * f));
  B.tx = px - ((px - B.tx) * z) / B.z;
  B.ty = py - ((py - B.ty) * z) / B.z;
  B.z = z;
  B.userMoved = true;
  applyView(B);
}

function onWheel(B, e) {
  e.preventDefault();
  if (e.ctrlKey || e.metaKey) {
    zoomBy(B, e.deltaY < 0 ? 1.1 : 1 / 1.1, e.clientX, e.clientY);
  } else {
    B.tx -= e.deltaX;
    B.ty -= e.deltaY;
    B.userMoved = true;
    applyView(B);
  }
}

function toWorld(B, clientX, clientY) {
  const rect = B.view.getBoundingClientRect();
  return [(clientX - rect.left - B.tx) / B.z, (clientY - rect.top - B.ty) / B.z];
}

function laneAt(B, wy) {
  const g = geo(B);
  return B.data.lanes.find((l) => wy >= l.top * g.row && wy < (l.top + l.height) * g.row) || null;
}

// ------------------------------------------------------------------------------------ gestures

function select(B, id) {
  B.selected = id;
  B.selectedWire = null;
  for (const [cid, e] of B.cards) e.classList.toggle("cf-selected", cid === id);
  drawWires(B);
  drawSelectionTools(B);
  if (id) {
    const e = B.cards.get(id);
    if (e && document.activeElement !== e) e.focus({ preventScroll: true });
  }
  fetch("/crossflow/presence", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ w: B.data.workshop, step: id }),
  }).catch(() => {});
}

function selectWire(B, id) {
  B.selected = null;
  B.selectedWire = id;
  for (const e of B.cards.values()) e.classList.remove("cf-selected");
  drawWires(B);
  drawSelectionTools(B);
  B.root.focus({ preventScroll: true });
}

function refuseEdit(B, what) {
  const d = B.data;
  const why = d.locked ? "editing is locked (pens down)" : `the map is closed for you in “${d.phaseTitle}”`;
  notice(B, `⛔ You cannot ${what}: ${why}.`);
}

const DOUBLE_MS = 500; // two presses this close in time and place are a double-click
const DOUBLE_PX = 8;

function isSecondPress(B, e) {
  const last = B.lastPress;
  B.lastPress = { t: e.timeStamp, x: e.clientX, y: e.clientY };
  const near = last && Math.abs(e.clientX - last.x) + Math.abs(e.clientY - last.y) <= DOUBLE_PX;
  if (!near || e.timeStamp - last.t > DOUBLE_MS) return false;
  B.lastPress = null; // a third press starts a new pair
  return true;
}

function onPointerDown(B, e) {
  if (e.button !== 0 || B.edit) return;
  if (isSecondPress(B, e)) {
    // The board's own double-click, acted on at the second release as the browser's is. The
    // browser's dblclick was lost whenever the board redrew between the two presses (a pushed
    // update, or the snap back of a refused drop, replaces the elements under the pointer).
    B.view.addEventListener("pointerup", (up) => onDoubleClick(B, up), { once: true });
    return;
  }
  const handle = e.target.closest(".cf-handle");
  const card = e.target.closest(".cf-card");
  const wire = e.target.closest(".cf-wire");
  if (handle && card) return startLink(B, e, card.dataset.id);
  if (card) return startCardDrag(B, e, card);
  if (wire) {
    selectWire(B, wire.dataset.id);
    return;
  }
  startPan(B, e);
}

function track(B, e, move, up) {
  const target = B.view;
  target.setPointerCapture(e.pointerId);
  const onMove = (ev) => move(ev);
  const onUp = (ev) => {
    target.removeEventListener("pointermove", onMove);
    target.removeEventListener("pointerup", onUp);
    target.removeEventListener("pointercancel", onUp);
    try {
      target.releasePointerCapture(e.pointerId);
    } catch (_) {}
    up(ev);
  };
  target.addEventListener("pointermove", onMove);
  target.addEventListener("pointerup", onUp);
  target.addEventListener("pointercancel", onUp);
}

function startPan(B, e) {
  const sx = e.clientX;
  const sy = e.clientY;
  const tx = B.tx;
  const ty = B.ty;
  let moved = false;
  track(
    B,
    e,
    (ev) => {
      if (Math.abs(ev.clientX - sx) + Math.abs(ev.clientY - sy) > 3) moved = true;
      B.tx = tx + ev.clientX - sx;
      B.ty = ty + ev.clientY - sy;
      applyView(B);
    },
    () => {
      if (!moved) {
        select(B, null);
        B.root.focus({ preventScroll: true });
      } else B.userMoved = true;
    },
  );
}

function startCardDrag(B, e, card) {
  const id = card.dataset.id;
  const sx = e.clientX;
  const sy = e.clientY;
  const left = parseFloat(card.style.left);
  const top = parseFloat(card.style.top);
  B.drag = { id, moving: false, base: B.data.version };
  let refused = false;
  track(
    B,
    e,
    (ev) => {
      if (!B.drag || B.drag.id !== id) return;
      const dx = (ev.clientX - sx) / B.z;
      const dy = (ev.clientY - sy) / B.z;
      if (!B.drag.moving && Math.abs(dx) + Math.abs(dy) < 5) return;
      if (!B.data.can.edit) {
        if (!refused) refuseEdit(B, "move steps");
        refused = true;
        return;
      }
      B.drag.moving = true;
      card.classList.add("cf-dragging");
      card.style.left = `${left + dx}px`;
      card.style.top = `${top + dy}px`;
      const lane = laneAt(B, top + dy + card.offsetHeight / 2);
      for (const [lid, le] of B.lanes) le.classList.toggle("cf-drop", !!lane && lane.id === lid);
    },
    () => {
      const drag = B.drag;
      B.drag = null;
      for (const le of B.lanes.values()) le.classList.remove("cf-drop");
      card.classList.remove("cf-dragging");
      if (!drag || drag.id !== id) return;
      if (!drag.moving) {
        select(B, id);
        return;
      }
      const cx = parseFloat(card.style.left) + card.offsetWidth / 2;
      const cy = parseFloat(card.style.top) + card.offsetHeight / 2;
      const lane = laneAt(B, cy);
      if (!lane) {
        snapBack(B, card, id);
        notice(B, "↩ Drop the card inside a lane (a function); nothing was changed.");
        return;
      }
      const g = geo(B);
      const others = B.data.cards
        .filter((c) => c.lane === lane.id && c.id !== id && g.lane + (c.x + 0.5) * g.col > cx)
        .sort((a, b) => a.x - b.x || a.n - b.n);
      card.classList.add("cf-saving");
      card.__json = null; // the next draw puts it where the store says, saved or refused
      select(B, id);
      send(B, { op: "move", step: id, lane: lane.id, before: others.length ? others[0].id : null, base: drag.base });
    },
  );
}

function snapBack(B, card, id) {
  const c = B.data.cards.find((x) => x.id === id);
  if (c) fillCard(B, card, c);
}

function startLink(B, e, source) {
  e.stopPropagation();
  if (!B.data.can.edit) return refuseEdit(B, "draw hand-offs");
  const card = B.cards.get(source);
  const sx = parseFloat(card.style.left) + card.offsetWidth;
  const sy = parseFloat(card.style.top) + card.offsetHeight / 2;
  B.root.classList.add("cf-linking");
  track(
    B,
    e,
    (ev) => {
      const [wx, wy] = toWorld(B, ev.clientX, ev.clientY);
      B.tempLine.setAttribute("d", `M${sx},${sy} L${wx},${wy}`);
      const over = document.elementFromPoint(ev.clientX, ev.clientY);
      const target = over && over.closest(".cf-card");
      for (const [cid, ce] of B.cards) ce.classList.toggle("cf-link-target", !!target && target.dataset.id === cid && cid !== source);
    },
    (ev) => {
      B.tempLine.setAttribute("d", "");
      B.root.classList.remove("cf-linking");
      for (const ce of B.cards.values()) ce.classList.remove("cf-link-target");
      const over = document.elementFromPoint(ev.clientX, ev.clientY);
      const target = over && over.closest(".cf-card");
      if (!target) return notice(B, "↩ Drop the hand-off on another step; nothing was changed.");
      const tid = target.dataset.id;
      const names = cardNames(B);
      if (tid === source) return notice(B, "↩ A hand-off goes from one step to another, not to itself.");
      if (B.data.wires.some((w) => w.source === source && w.target === tid))
        return notice(B, `↩ There already is a hand-off from “${names[source]}” to “${names[tid]}”.`);
      send(B, { op: "handoff", source, target: tid });
    },
  );
}

function deleteWire(B) {
  if (!B.selectedWire) return;
  if (!B.data.can.edit) return refuseEdit(B, "delete hand-offs");
  const id = B.selectedWire;
  B.selectedWire = null;
  send(B, { op: "delete_handoff", id });
}

function propose(B, tag) {
  const d = B.data;
  if (!B.selected) return notice(B, "Select a step first (click it), then press 1, 2 or 3.");
  if (!d.can.propose) {
    const why = d.me.facilitator
      ? "the facilitator does not propose"
      : d.locked
        ? "editing is locked (pens down)"
        : `proposals open in the Tag & vote phase (now: “${d.phaseTitle}”)`;
    return notice(B, `⛔ You cannot propose now: ${why}.`);
  }
  send(B, { op: "propose", step: B.selected, tag });
}

function onDoubleClick(B, e) {
  // Ask what is under the pointer: the release may be retargeted to the view.
  const under = document.elementFromPoint(e.clientX, e.clientY) || e.target;
  const card = under.closest(".cf-card");
  if (card) {
    if (!B.data.can.edit) return refuseEdit(B, "rename steps");
    return startRename(B, card);
  }
  if (under.closest(".cf-wire") || under.closest(".cf-editor")) return;
  const [wx, wy] = toWorld(B, e.clientX, e.clientY);
  const lane = laneAt(B, wy);
  if (!lane) return;
  if (!B.data.can.edit) return refuseEdit(B, "add steps");
  const g = geo(B);
  const before = B.data.cards
    .filter((c) => c.lane === lane.id && g.lane + (c.x + 0.5) * g.col < wx)
    .sort((a, b) => b.x - a.x || b.n - a.n);
  editor(B, wx, wy, `New step in ${lane.name}`, "", 200, (name) => {
    if (!name.trim()) return notice(B, "↩ A step needs a name; nothing was added.");
    send(B, { op: "add", lane: lane.id, name: name.trim(), after: before.length ? before[0].id : null });
  });
}

function startRename(B, card) {
  const id = card.dataset.id;
  const c = B.data.cards.find((x) => x.id === id);
  B.edit = { id, base: B.data.version };
  const base = B.edit.base;
  const nameEl = card.querySelector(".cf-name");
  const input = el("input", "cf-rename");
  input.value = c.name;
  input.setAttribute("aria-label", `New name for ${c.name}`);
  nameEl.textContent = "";
  nameEl.appendChild(input);
  input.focus();
  input.select();
  let done = false;
  const finish = (save) => {
    if (done) return;
    done = true;
    const value = input.value.trim();
    B.edit = null;
    const latest = B.data.cards.find((x) => x.id === id);
    if (latest) fillCard(B, card, latest);
    card.__json = JSON.stringify(latest) + B.projector;
    if (!save || value === c.name) return;
    if (!value) return notice(B, "↩ A step needs a name; the old one is kept.");
    if (value.length > 200) return notice(B, `↩ A step name has at most 200 characters (this one has ${value.length}); the old one is kept.`);
    card.querySelector(".cf-name").textContent = value;
    card.__json = null;
    card.classList.add("cf-saving");
    send(B, { op: "rename", step: id, name: value, base });
  };
  input.addEventListener("keydown", (ev) => {
    ev.stopPropagation();
    if (ev.key === "Enter") finish(true);
    if (ev.key === "Escape") finish(false);
  });
  input.addEventListener("blur", () => finish(true));
  input.addEventListener("pointerdown", (ev) => ev.stopPropagation());
  input.addEventListener("dblclick", (ev) => ev.stopPropagation());
}

function editor(B, wx, wy, label, value, max, onSave, multiline) {
  closeEditor(B);
  const box = el("div", "cf-editor");
  box.style.left = `${wx}px`;
  box.style.top = `${wy}px`;
  const title = el("div", "cf-editor-title", label);
  const input = el(multiline ? "textarea" : "input", "cf-editor-input");
  input.value = value;
  input.maxLength = max + 50; // longer input is refused with a message, not cut silently
  input.setAttribute("aria-label", label);
  const row = el("div", "cf-editor-row");
  const save = button(row, "Save", "Save (Enter)", () => finish(true));
  save.classList.add("cf-primary");
  button(row, "Cancel", "Cancel (Esc)", () => finish(false));
  box.append(title, input, row);
  B.world.appendChild(box);
  B.editor = box;
  box.addEventListener("pointerdown", (ev) => ev.stopPropagation());
  box.addEventListener("dblclick", (ev) => ev.stopPropagation());
  const finish = (ok) => {
    const v = input.value;
    closeEditor(B);
    B.root.focus({ preventScroll: true });
    if (ok) onSave(v);
  };
  input.addEventListener("keydown", (ev) => {
    ev.stopPropagation();
    if (ev.key === "Enter" && !ev.shiftKey) {
      ev.preventDefault();
      finish(true);
    }
    if (ev.key === "Escape") finish(false);
  });
  setTimeout(() => input.focus(), 0);
}

function closeEditor(B) {
  if (B.editor) B.editor.remove();
  B.editor = null;
}

function startNoteDrag(B, e, kind, label) {
  e.preventDefault();
  if (!B.data.can.comment) return notice(B, "⛔ Notes are closed for you right now.");
  const ghost = el("div", "cf-ghost", `${NOTE_ICONS[kind] || "•"} ${label}`);
  document.body.appendChild(ghost);
  const place = (ev) => {
    ghost.style.left = `${ev.clientX + 8}px`;
    ghost.style.top = `${ev.clientY + 8}px`;
  };
  place(e);
  const chip = e.currentTarget;
  chip.setPointerCapture(e.pointerId);
  const onMove = (ev) => place(ev);
  const onUp = (ev) => {
    chip.removeEventListener("pointermove", onMove);
    chip.removeEventListener("pointerup", onUp);
    ghost.remove();
    const over = document.elementFromPoint(ev.clientX, ev.clientY);
    const card = over && over.closest(".cf-card");
    const wire = over && over.closest(".cf-wire");
    if (!card && !wire) return notice(B, "↩ Drop the note on a step or on a hand-off's arrow.");
    const targetKind = card ? "step" : "handoff";
    const target = card ? card.dataset.id : wire.dataset.id;
    const names = cardNames(B);
    const what = card ? `“${names[target]}”` : `hand-off ${target}`;
    const [wx, wy] = toWorld(B, ev.clientX, ev.clientY);
    editor(B, wx, wy, `${label} on ${what}`, "", 4000, (text) => {
      if (!text.trim()) return notice(B, "↩ The note is empty; nothing was added.");
      send(B, { op: "note", kind, targetKind, target, text });
    }, true);
  };
  chip.addEventListener("pointermove", onMove);
  chip.addEventListener("pointerup", onUp);
}

function onKey(B, e) {
  if (e.target.closest && e.target.closest("input, textarea")) return;
  const k = e.key;
  if (k === "1" || k === "2" || k === "3") {
    e.preventDefault();
    return propose(B, ["human", "augment", "automate"][Number(k) - 1]);
  }
  if (k === "Enter" && B.selected) {
    e.preventDefault();
    return send(B, { op: "open", step: B.selected });
  }
  if ((k === "Delete" || k === "Backspace") && B.selectedWire) {
    e.preventDefault();
    return deleteWire(B);
  }
  if (k === "Escape") return select(B, null);
  if (k === "f" || k === "F") return fit(B, true);
  if (k === "+" || k === "=") return zoomBy(B, 1.2);
  if (k === "-") return zoomBy(B, 1 / 1.2);
  if (k.startsWith("Arrow")) {
    e.preventDefault();
    moveSelection(B, k);
  }
}

function moveSelection(B, key) {
  const cards = B.data.cards;
  if (!cards.length) return;
  const cur = cards.find((c) => c.id === B.selected);
  if (!cur) return select(B, [...cards].sort((a, b) => a.x - b.x || a.y - b.y)[0].id);
  const dir = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] }[key];
  let best = null;
  let bestScore = Infinity;
  for (const c of cards) {
    if (c.id === cur.id) continue;
    const dx = c.x - cur.x;
    const dy = c.y - cur.y;
    const along = dx * dir[0] + dy * dir[1];
    if (along <= 0) continue;
    const across = Math.abs(dx * dir[1]) + Math.abs(dy * dir[0]);
    const score = along + 2 * across;
    if (score < bestScore) {
      bestScore = score;
      best = c;
    }
  }
  if (best) select(B, best.id);
}
