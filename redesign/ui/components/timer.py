"""The workshop timer everyone sees: a large countdown that signals its end and then clears itself.

The countdown runs in the browser (an `st.components.v2` component), from
`state.timer_ends_at`, so it ticks every second without rerunning the page. At the end
it flashes and plays a short chime synthesised with WebAudio (no sound file, nothing
loaded from the network); each browser can mute the chime with the bell on the bar
(remembered in that browser). "Time's up" shows for `SHOWN_AFTER_END_SECONDS` and then
the bar clears itself, on every page, without anyone stopping the timer.

Pages call `timer_bar(state)` near their top; the facilitator's sidebar can add
`clear_timer_button(state)` to clear it for everyone at once.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from redesign.store.schemas import WorkshopState
from redesign.ui.components.step_panel import act
from redesign.ui.resources import service

SHOWN_AFTER_END_SECONDS = 60
"""How long "Time's up" stays on screen after the end before the bar clears itself."""
CHIME_WITHIN_SECONDS = 5
"""A page opened later than this after the end stays silent: the chime marks the moment, not the page load."""

TRUST_BROWSER_CLOCK_SECONDS = 30
"""A browser clock within this of the server's is used as is (clocks are synchronised; the page's delivery
time is not); one further off is corrected to the server's."""

_HTML = """
<div class="cf-timer" role="timer" aria-live="polite" hidden>
  <span class="cf-icon" aria-hidden="true">⏱</span>
  <span class="cf-time" data-testid="timer-time"></span>
  <span class="cf-label"></span>
  <button type="button" class="cf-mute" data-testid="timer-mute"></button>
</div>
<div class="cf-pill" data-testid="timer-pill" aria-hidden="true" hidden></div>
"""

_CSS = """
.cf-timer {
  display: flex; align-items: center; gap: 0.9rem;
  padding: 0.35rem 1.1rem; margin: 0 0 0.25rem 0;
  border-radius: 0.6rem; border: 2px solid #5b4bc4;
  background: #efedfb; color: #1f1a4d;
  font-family: "Source Sans Pro", "Source Sans 3", sans-serif;
}
.cf-timer[hidden] { display: none; }
.cf-icon { font-size: 2rem; line-height: 1; }
.cf-time { font-size: 2.6rem; font-weight: 700; line-height: 1.1; font-variant-numeric: tabular-nums; }
.cf-label { font-size: 1.1rem; flex: 1; }
.cf-mute {
  font-size: 1rem; padding: 0.3rem 0.7rem; border-radius: 0.4rem;
  border: 1px solid currentColor; background: transparent; color: inherit; cursor: pointer;
}
.cf-pill {
  position: fixed; top: 4.2rem; right: 1.2rem; z-index: 999990;
  padding: 0.25rem 0.8rem; border-radius: 0.5rem; border: 2px solid #5b4bc4;
  background: #efedfb; color: #1f1a4d; font-size: 1.6rem; font-weight: 700;
  font-variant-numeric: tabular-nums; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.15);
  font-family: "Source Sans Pro", "Source Sans 3", sans-serif;
}
.cf-pill[hidden] { display: none; }
.cf-pill.cf-ended { background: #c62828; border-color: #7f1010; color: #ffffff; }
.cf-timer.cf-last { background: #fff4d6; border-color: #b7791f; color: #5a3b00; }
.cf-timer.cf-ended { background: #fde2e1; border-color: #c62828; color: #7f1010; }
.cf-timer.cf-flash { animation: cf-flash 0.5s ease-in-out 8 alternate; }
@keyframes cf-flash {
  from { background: #fde2e1; }
  to { background: #c62828; color: #ffffff; }
}
"""

_JS = """
const MUTE_KEY = "crossflow.timer.muted";
const RANG_KEY = "crossflow.timer.rang";
let audio = null;

function muted() { return window.localStorage.getItem(MUTE_KEY) === "1"; }

function chime(root) {
  // Three short rising tones, synthesised: nothing is fetched.
  if (muted()) { root.dataset.sound = "muted"; return; }
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === "suspended") { audio.resume(); }
    const start = audio.currentTime + 0.05;
    [660, 880, 1100].forEach((freq, i) => {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      const at = start + i * 0.28;
      osc.type = "sine";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.35, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start(at);
      osc.stop(at + 0.26);
    });
    // "blocked": the browser allows sound only after the person has clicked on the page.
    root.dataset.sound = audio.state === "running" ? "played" : "blocked";
  } catch (err) {
    root.dataset.sound = "unavailable";
  }
}

function clock(ms) {
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
}

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement.querySelector(".cf-timer");
  const time = root.querySelector(".cf-time");
  const label = root.querySelector(".cf-label");
  const mute = root.querySelector(".cf-mute");
  // This computer's clock, unless it is clearly wrong: then the server's. (The difference seen here
  // also holds the time the page took to arrive, seconds on a busy server, so small ones are ignored.)
  const seen = data.server_now_ms - Date.now();
  const offset = Math.abs(seen) > data.trust_clock_within_ms ? seen : 0;
  const showMute = () => { mute.textContent = muted() ? "🔕 Sound off" : "🔔 Sound on"; };
  mute.onclick = () => {
    window.localStorage.setItem(MUTE_KEY, muted() ? "0" : "1");
    if (!muted()) { audio = audio || new (window.AudioContext || window.webkitAudioContext)(); audio.resume(); }
    showMute();
  };
  showMute();
  // Scrolled past the bar, a small copy stays in the top corner: the time is in sight on every screen.
  const pill = parentElement.querySelector(".cf-pill");
  let barInView = true;
  if (root._cfWatch) { root._cfWatch.disconnect(); }
  root._cfWatch = new IntersectionObserver((entries) => {
    barInView = entries.some((e) => e.isIntersecting);
  });
  root._cfWatch.observe(root);
  if (root._cfTick) { clearInterval(root._cfTick); }
  const tick = () => {
    const left = data.ends_at_ms - (Date.now() + offset);
    if (left > 0) {
      root.hidden = false;
      root.classList.remove("cf-ended", "cf-flash");
      root.classList.toggle("cf-last", left <= 60000);
      root.dataset.state = "running";
      time.textContent = clock(left);
      label.textContent = "left";
    } else if (-left < data.shown_after_end_ms) {
      root.hidden = false;
      root.dataset.state = "ended";
      time.textContent = "Time's up";
      label.textContent = "";
      if (!root.classList.contains("cf-ended")) {
        root.classList.remove("cf-last");
        root.classList.add("cf-ended", "cf-flash");
        const stamp = String(data.ends_at_ms);
        if (-left < data.chime_within_ms && window.sessionStorage.getItem(RANG_KEY) !== stamp) {
          window.sessionStorage.setItem(RANG_KEY, stamp);
          chime(root);
        }
      }
    } else {
      root.hidden = true;  // cleared: "Time's up" does not stay forever
      root.dataset.state = "cleared";
      clearInterval(root._cfTick);
    }
    pill.hidden = root.hidden || barInView;
    pill.textContent = "⏱ " + time.textContent;
    pill.classList.toggle("cf-ended", root.dataset.state === "ended");
  };
  tick();
  root._cfTick = setInterval(tick, 250);
  return () => {
    clearInterval(root._cfTick);
    root._cfWatch.disconnect();
  };
}
"""

_timer = st.components.v2.component("crossflow.timer", html=_HTML, css=_CSS, js=_JS)


def timer_state(ends_at: datetime | None, now: datetime) -> str:
    """'none', 'running', 'ended' (showing "Time's up") or 'cleared' (over and gone) (pure)."""
    if ends_at is None:
        return "none"
    left = (_utc(ends_at) - now).total_seconds()
    if left > 0:
        return "running"
    return "ended" if -left < SHOWN_AFTER_END_SECONDS else "cleared"


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def timer_bar(state: WorkshopState) -> None:
    """The large countdown for everyone, from the facilitator's timer; nothing when none runs."""
    now = datetime.now(UTC)
    if timer_state(state.timer_ends_at, now) in ("none", "cleared") or state.timer_ends_at is None:
        return
    _timer(
        key="crossflow_timer",
        data={
            "ends_at_ms": _utc(state.timer_ends_at).timestamp() * 1000,
            "server_now_ms": now.timestamp() * 1000,
            "shown_after_end_ms": SHOWN_AFTER_END_SECONDS * 1000,
            "chime_within_ms": CHIME_WITHIN_SECONDS * 1000,
            "trust_clock_within_ms": TRUST_BROWSER_CLOCK_SECONDS * 1000,
        },
    )


def clear_timer_button(state: WorkshopState) -> None:
    """Facilitator (sidebar): clear the timer for everyone now, running or over."""
    if state.timer_ends_at is None or not state.me.is_facilitator:
        return
    over = timer_state(state.timer_ends_at, datetime.now(UTC)) != "running"
    label = "✖ Clear “Time's up”" if over else "✖ Stop and clear the timer"
    if st.sidebar.button(label, key="clear_timer", width="stretch"):
        act(lambda: service().set_timer(st.session_state["token"], None), "Timer cleared")


__all__ = ["SHOWN_AFTER_END_SECONDS", "clear_timer_button", "timer_bar", "timer_state"]
