// Crossflow's phase move (st.components.v2): takes the person to the page where the new phase's work
// happens by clicking the page link drawn just before it, as the person would (redesign/ui/phase_pages.py).
//
// Why in the browser and not st.switch_page on the server: a server-side switch races the live
// listener. A rerun the listener asked for on the old page (its fragment, with the old page's id)
// can reach the server after the switch; Streamlit then runs it as the old page and the new page
// goes blank. A click here is ordered after anything the listener sent before it, and the listener
// is held (asks nothing) while the move is under way.
//
// A request from the old page can still win over the click (Streamlit folds two pending reruns into
// one, for the page the later one names): while the link is still on the page, it is clicked again.
const LOOK_MS = 100;
const CLICK_AGAIN_MS = 1500;
const GIVE_UP_MS = 10000;

export default function (component) {
  const { data } = component;
  const started = Date.now();
  let timer = null;
  let clicked = 0;
  function go() {
    const now = Date.now();
    const link = document.querySelector(`.st-key-${data.box} a[href]`);
    if (link && now - clicked >= CLICK_AGAIN_MS) {
      const live = window.__crossflowLive;
      if (live && live.hold) live.hold(CLICK_AGAIN_MS + 500);
      clicked = now;
      link.click();
    }
    if (now - started < GIVE_UP_MS) timer = setTimeout(go, LOOK_MS);
    // else the link stays on the page for the person to click
  }
  go();
  return () => clearTimeout(timer);
}
