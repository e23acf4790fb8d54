// Crossflow's live listener (st.components.v2): one EventSource per page (kept on `window`, so it
// survives reruns and moves between the workshop, impact and export pages) and a status line.
// See redesign/ui/live.py for the Python side and redesign/web/routes.py for the routes.
//
// - `version` event newer than what the page shows -> on a participant's board (the page gave `mapLook`),
//   GET the view route first: when the map's look is unchanged, the new board goes to the board as a
//   window CustomEvent "crossflow:board" and nothing reruns; otherwise (or if the route fails)
//   setTriggerValue("version", N): the listener's fragment reruns and decides whether the page must
//   be redrawn.
// - every `presence` payload -> window CustomEvent "crossflow:presence" {detail: payload};
// - its status -> window CustomEvent "crossflow:live" {detail: {mode: "push" | "polling", version}}.
// - the page's connection to the server comes back (a replica restart or failover) -> the "kick"
//   reruns the whole page at once, so the new server session has drawn it before the person acts.
// - a request the page does not answer within UNANSWERED_MS (after a replica restart the page has a new
//   server session that does not know the listener's fragment, and skips its reruns) -> the
//   "kick" component (outside the fragment) reruns the whole page.
// - no event within FIRST_EVENT_MS of connecting (a proxy that buffers) or an error (a restarted
//   replica): polling mode, setTriggerValue("tick", n) every `poll` seconds, and the page says so;
//   the stream is tried again every RETRY_MS and push resumes by itself when it answers. A stream that
//   stays silent SILENT_MS (the route pings every 15 s) is taken for dead the same way.
const FIRST_EVENT_MS = 4000;
const RETRY_MS = 5000;
const UNANSWERED_MS = 4000;
const SILENT_MS = 40000; // the route pings every 15 s: a stream silent this long is dead (a half-open connection)

function makeLive() {
  const s = {
    w: null, url: null, es: null, mode: "connecting", shown: 0, latest: 0, asked: 0, askedAt: 0,
    poll: 2, trigger: null, el: null, ticks: 0, lastPoll: 0, openedAt: 0,
    retryAt: 0, closeTimer: null, kick: null, pendingSince: 0, served: null,
    viewUrl: null, mapLook: null, fetching: false, refetch: false, heardAt: 0, heldUntil: 0, heldOn: null,
  };

  // While the page moves to another one (assets/phase_move.js), a rerun asked for here would carry
  // the old page's id and could reach the server after the move: Streamlit would run the old page.
  function held() {
    return Date.now() < s.heldUntil;
  }

  function dispatch(name, detail) {
    window.dispatchEvent(new CustomEvent(name, { detail }));
  }

  function setMode(mode) {
    if (s.mode !== mode) {
      s.mode = mode;
      s.lastPoll = Date.now();
      dispatch("crossflow:live", { mode: s.mode === "push" ? "push" : "polling", version: s.shown });
    }
    render();
  }

  function ask(name, value) {
    if (!s.trigger || held()) return;
    if (name === "version") {
      if (value <= s.shown) return;
      if (s.asked >= value && Date.now() - s.askedAt < 3000) return; // a rerun is on its way
      s.asked = value;
      s.askedAt = Date.now();
    }
    if (!s.pendingSince) s.pendingSince = Date.now();
    s.trigger(name, value);
  }

  function onVersion(v) {
    if (v <= s.shown) return;
    if (s.mapLook && s.viewUrl) fetchView();
    else ask("version", v);
  }

  async function fetchView() {
    if (s.fetching) { s.refetch = true; return; }
    s.fetching = true;
    try {
      do {
        s.refetch = false;
        const r = await fetch(s.viewUrl, { credentials: "same-origin", cache: "no-store" });
        if (!r.ok) throw new Error(`view route answered ${r.status}`);
        const body = await r.json();
        s.latest = Math.max(s.latest, body.version);
        if (body.version <= s.shown) continue;
        if (s.mapLook && body.mapLook === s.mapLook) {
          dispatch("crossflow:board", body.board);
          s.shown = body.version;
          dispatch("crossflow:live", { mode: s.mode === "push" ? "push" : "polling", version: s.shown });
          render();
        } else {
          ask("version", body.version);
        }
      } while (s.refetch);
    } catch (e) {
      ask("version", s.latest); // the page's own check still works without the route
    } finally {
      s.fetching = false;
    }
  }

  function connect() {
    if (s.es) s.es.close();
    s.openedAt = Date.now();
    s.heardAt = Date.now();
    s.retryAt = 0;
    let heard = false;
    const es = new EventSource(s.url, { withCredentials: true });
    s.es = es;
    es.addEventListener("version", (e) => {
      if (s.es !== es) return;
      heard = true;
      s.heardAt = Date.now();
      const v = JSON.parse(e.data).version;
      s.latest = Math.max(s.latest, v);
      setMode("push");
      onVersion(v);
    });
    es.addEventListener("ping", () => {
      if (s.es !== es) return;
      heard = true;
      s.heardAt = Date.now();
      setMode("push");
    });
    es.addEventListener("presence", (e) => {
      if (s.es !== es) return;
      heard = true;
      s.heardAt = Date.now();
      dispatch("crossflow:presence", JSON.parse(e.data));
    });
    es.onerror = () => {
      if (s.es !== es) return;
      setMode("polling");
      if (es.readyState === EventSource.CLOSED) s.retryAt = Date.now() + RETRY_MS; // refused: we retry
      // otherwise the browser reconnects by itself (retry: 2000 from the server)
    };
    setTimeout(() => {
      if (s.es === es && !heard) { // open but silent: something in between holds the stream back
        setMode("polling");
        es.close();
        s.retryAt = Date.now() + RETRY_MS;
      }
    }, FIRST_EVENT_MS);
  }

  function clock() {
    const now = Date.now();
    if (s.pendingSince && now - s.pendingSince > UNANSWERED_MS && s.kick && !held()) {
      s.pendingSince = now; // the fragment's reruns go unanswered: rerun the whole page
      s.kick("kick", now);
    }
    if (s.mode !== "push" && s.trigger && now - s.lastPoll >= s.poll * 1000) {
      s.lastPoll = now;
      s.ticks += 1;
      ask("tick", s.ticks);
    }
    if (s.mode === "push" && s.es && now - s.heardAt > SILENT_MS) { // silent: poll, and reconnect now
      s.es.close();
      setMode("polling");
      s.retryAt = now;
    }
    if (s.retryAt && now >= s.retryAt && s.url) connect();
    render();
  }

  function render() {
    if (!s.el) return;
    let box = s.el.querySelector(".crossflow-live");
    if (!box) {
      box = document.createElement("div");
      box.className = "crossflow-live";
      box.setAttribute("role", "status");
      s.el.appendChild(box);
    }
    let status;
    if (s.mode === "push") status = `🟢 live · version ${s.shown}`;
    else if (s.mode === "connecting") status = `⚪ connecting · version ${s.shown}`;
    else status = `🟠 live by polling every ${s.poll} s (push unavailable, reconnecting) · version ${s.shown}`;
    const text = status; // the countdown is the large timer bar's (redesign/ui/components/timer.py)
    if (box.textContent !== text) box.textContent = text;
    box.dataset.mode = s.mode === "push" ? "push" : s.mode === "connecting" ? "connecting" : "polling";
  }

  // Streamlit's browser reruns the page on reconnecting only in some cases (when its last run was a
  // fragment's). After a replica restart or failover the page keeps what the old server session drew,
  // and the new session runs no callback for a widget it never drew: a board gesture (or a vote) sent
  // as its first message was lost. So when this page's connection comes back, rerun the whole page.
  function watchConnection() {
    const app = document.querySelector("[data-testid='stApp']");
    if (!app) return;
    let was = app.getAttribute("data-test-connection-state");
    new MutationObserver(() => {
      const now = app.getAttribute("data-test-connection-state");
      if (now === "CONNECTED" && was !== "CONNECTED" && s.kick && !held()) s.kick("kick", Date.now());
      was = now;
    }).observe(app, { attributes: true, attributeFilter: ["data-test-connection-state"] });
  }

  setInterval(clock, 1000);
  watchConnection();
  return {
    hold(ms) {
      s.heldUntil = Date.now() + ms;
      s.heldOn = window.location.pathname;
      s.pendingSince = 0;
    },
    setKick(kick) {
      s.kick = kick;
    },
    bind(data, trigger, el) {
      if (s.closeTimer) { clearTimeout(s.closeTimer); s.closeTimer = null; }
      if (window.location.pathname !== s.heldOn) s.heldUntil = 0; // the move has arrived on its page
      if (data.run !== s.served) { // a run of the listener's fragment (or of the page) answered
        s.served = data.run;
        s.pendingSince = 0;
      }
      s.trigger = trigger;
      s.el = el;
      s.poll = data.poll;
      s.viewUrl = data.view || null;
      s.mapLook = data.mapLook || null;
      if (data.version !== s.shown) {
        s.shown = data.version;
        if (s.mode !== "connecting") { // the first status goes out when the stream answers (or does not)
          dispatch("crossflow:live", { mode: s.mode === "push" ? "push" : "polling", version: s.shown });
        }
      }
      if (data.w !== s.w || data.events !== s.url) {
        s.w = data.w;
        s.url = data.events;
        s.latest = 0;
        s.asked = 0;
        s.mode = "connecting";
        connect();
      } else if (s.latest > s.shown) {
        onVersion(s.latest); // announced while the page was drawing
      }
      render();
    },
    unbind(el) {
      if (s.el !== el) return;
      s.el = null;
      s.trigger = null;
      // Left the workshop's pages (not just a rerun or a page switch): close the stream, so the
      // others see this person leave.
      s.closeTimer = setTimeout(() => {
        if (s.es) s.es.close();
        s.es = null;
        s.w = null;
        s.url = null;
        s.mode = "connecting";
      }, 1500);
    },
  };
}

export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  const live = window.__crossflowLive || (window.__crossflowLive = makeLive());
  if (data && data.kick) { // the page-level helper: only lends its trigger
    live.setKick(setTriggerValue);
    return () => {};
  }
  live.bind(data, setTriggerValue, parentElement);
  return () => live.unbind(parentElement);
}
