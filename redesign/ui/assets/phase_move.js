// Crossflow's phase move (st.components.v2): takes the person to the page where the new phase's work
// happens by clicking the page link drawn just before it, as the person would (redesign/ui/phase_pages.py).
//
// Why in the browser and not st.switch_page on the server: a server-side switch races the live
// listener. A rerun the listener asked for on the old page (its fragment, with the old page's id)
// can reach the server after the switch; Streamlit then runs it as the old page and the new page
// goes blank. A click here is ordered after anything the listener sent before it, and the listener
// is held (asks nothing) until the next page binds it.
const LOOK_MS = 100;
const GIVE_UP_MS = 5000;

export default function (component) {
  const { data } = component;
  const live = window.__crossflowLive;
  if (live && live.hold) live.hold(GIVE_UP_MS);
  const started = Date.now();
  let timer = null;
  function go() {
    const link = document.querySelector(`.st-key-${data.box} a[href]`);
    if (link) {
      link.click();
    } else if (Date.now() - started < GIVE_UP_MS) {
      timer = setTimeout(go, LOOK_MS);
    } // else the link stays on the page for the person to click
  }
  go();
  return () => clearTimeout(timer);
}
