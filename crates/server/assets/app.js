// sigil's one script: small enhancements only; every page works without it.
document.addEventListener("click", (e) => {
  const b = e.target.closest("[data-copy]");
  if (!b) return;
  const el = document.getElementById(b.dataset.copy);
  if (el && navigator.clipboard) {
    navigator.clipboard.writeText(el.textContent.trim());
    b.textContent = "Copied";
  }
});
document.addEventListener("submit", (e) => {
  const f = e.target;
  if (f.dataset.confirm && !window.confirm(f.dataset.confirm)) e.preventDefault();
});
document.documentElement.classList.add("js");

// A select with data-shows="x" shows only the [data-x] section of its value (others
// hidden and disabled, so their fields are neither checked nor sent).
function showChosen(sel) {
  const attr = "data-" + sel.dataset.shows;
  for (const el of sel.form.querySelectorAll("[" + attr + "]")) {
    const on = el.getAttribute(attr) === sel.value;
    el.hidden = !on;
    el.disabled = !on;
  }
}
// A select with data-submit="step" posts its form's step on change, as the
// step's button (kept for pages without this script) would.
function submitStep(el) {
  const b = el.form.querySelector('button[name="_action"][value="' + el.dataset.submit + '"]');
  if (b) el.form.requestSubmit(b);
}
// An input with data-filter="id" narrows the options of the select #id as typed.
function filterOptions(input) {
  const sel = document.getElementById(input.dataset.filter);
  if (!sel) return;
  const q = input.value.trim().toLowerCase();
  for (const o of sel.options) {
    if (o.value) o.hidden = q !== "" && !o.text.toLowerCase().includes(q);
  }
}
// A field with data-refresh="id …" re-renders those parts of the page as it is typed:
// the form is posted as its "refresh" step and the parts are taken from the answer.
const refreshing = new WeakMap();
function refreshParts(el) {
  clearTimeout(refreshing.get(el));
  refreshing.set(el, setTimeout(async () => {
    const fd = new FormData(el.form);
    fd.set("_action", "refresh");
    try {
      const res = await fetch(el.form.action, { method: "POST", body: fd, credentials: "same-origin" });
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      for (const id of el.dataset.refresh.split(" ").concat(["body-error"])) {
        const mine = document.getElementById(id), theirs = doc.getElementById(id);
        if (mine && theirs) mine.replaceWith(theirs);
      }
    } catch (_) { /* the Refresh button still works */ }
  }, 300));
}
document.addEventListener("change", (e) => {
  const t = e.target;
  if (t.dataset && t.dataset.shows) showChosen(t);
  if (t.dataset && t.dataset.submit) submitStep(t);
});
document.addEventListener("input", (e) => {
  const t = e.target;
  if (t.dataset && t.dataset.filter) filterOptions(t);
  if (t.dataset && t.dataset.refresh) refreshParts(t);
});
document.addEventListener("DOMContentLoaded", () => {
  for (const sel of document.querySelectorAll("select[data-shows]")) showChosen(sel);
  for (const input of document.querySelectorAll("[data-filter]")) filterOptions(input);
  // A dialog the server opened becomes modal; closing it (Escape) forgets it.
  for (const d of document.querySelectorAll("dialog[data-modal][open]")) {
    d.close();
    d.showModal();
    d.addEventListener("close", () => {
      // The close() above queues a close event too: only a real closing counts.
      const f = d.closest("form");
      if (!d.open && f && f.elements.dialog) f.elements.dialog.value = "";
    });
  }
});

// The workbook editor. Clicking anywhere on an element selects it, as its card
// button does; a step that deletes asks first; leaving with unsaved changes asks.
document.addEventListener("click", (e) => {
  const b = e.target.closest("button[data-confirm-step]");
  if (b && !window.confirm(b.dataset.confirmStep)) { e.preventDefault(); return; }
  const card = e.target.closest("[data-select]");
  if (!card || e.target.closest("button, input, select, textarea, a")) return;
  const sel = card.querySelector('button[name="_action"][value="' + card.dataset.select + '"]');
  if (sel) sel.form.requestSubmit(sel);
});
let leaving = false;
document.addEventListener("submit", (e) => { if (e.target.matches("[data-editor]")) leaving = true; });
document.addEventListener("input", (e) => {
  const f = e.target.form;
  if (f && f.matches("[data-editor]")) {
    f.dataset.dirty = "";
    if (f.elements.dirty) f.elements.dirty.value = "1";
  }
});
window.addEventListener("beforeunload", (e) => {
  const f = document.querySelector("form[data-editor]");
  if (f && f.dataset.dirty !== undefined && !leaving) { e.preventDefault(); e.returnValue = ""; }
});

// A workbook's button runs its sequence in the background: the button is busy (and
// cannot be pressed twice) until the answer, which sets the controls the run set
// and says how it went. Without this script the form posts and the page answers.
document.addEventListener("submit", async (e) => {
  const f = e.target;
  if (!f.matches("form[data-run]")) return;
  e.preventDefault();
  const b = e.submitter;
  if (!b || b.disabled) return;
  const fd = new FormData(f);
  fd.set("_button", b.value);
  b.disabled = true;
  b.setAttribute("aria-busy", "true");
  const status = document.getElementById("run-status");
  status.className = "notice";
  status.setAttribute("role", "status");
  status.textContent = "Running " + b.textContent.trim() + "…";
  try {
    const res = await fetch(f.action, { method: "POST", body: fd, credentials: "same-origin",
      headers: { "Accept": "application/json" } });
    const out = await res.json().catch(() => ({ ok: false,
      message: "The run could not be completed (HTTP " + res.status + "). Reload the page and try again." }));
    for (const [id, v] of Object.entries(out.controls || {})) {
      for (const el of f.querySelectorAll("[data-control]")) {
        if (el.dataset.control !== id) continue;
        if (el.type === "checkbox") el.checked = v === true; else el.value = v;
      }
    }
    status.className = out.ok ? "notice" : "form-error";
    status.setAttribute("role", out.ok ? "status" : "alert");
    status.textContent = out.message;
  } catch (_) {
    status.className = "form-error";
    status.setAttribute("role", "alert");
    status.textContent = "The run could not be sent. Check your connection and try again.";
  } finally {
    b.disabled = false;
    b.removeAttribute("aria-busy");
  }
});
