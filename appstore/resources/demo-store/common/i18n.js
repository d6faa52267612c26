// Shared helpers of the demo DApps: language (?lang= or the browser), strings, hashing, storage.
const LANG = ((new URLSearchParams(location.search).get("lang")) || navigator.language || "en")
  .toLowerCase().startsWith("zh") ? "zh" : "en";
function t(key, vars) {
  let s = (STRINGS[LANG] && STRINGS[LANG][key]) || STRINGS.en[key] || key;
  for (const k in (vars || {})) s = s.replaceAll("{" + k + "}", vars[k]);
  return s;
}
function applyI18n() {
  document.querySelectorAll("[data-t]").forEach(e => { e.textContent = t(e.dataset.t); });
  document.querySelectorAll("[data-tp]").forEach(e => { e.placeholder = t(e.dataset.tp); });
  document.documentElement.lang = LANG === "zh" ? "zh-CN" : "en";
  document.title = t("title");
}
async function sha256hex(text) {
  const buf = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(buf)].map(b => b.toString(16).padStart(2, "0")).join("");
}
function store(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ } }
function restore(key, fallback) {
  try { const v = localStorage.getItem(key); return v ? JSON.parse(v) : fallback; } catch (e) { return fallback; }
}
// Money in the DApps is kept in integer cents; this only formats it.
function money(cents) {
  const sign = cents < 0 ? "-" : ""; cents = Math.abs(cents);
  return sign + Math.floor(cents / 100).toLocaleString("en-US") + "." + String(cents % 100).padStart(2, "0");
}
function parseMoney(text) {
  const m = String(text).trim().replace(/,/g, "").match(/^(\d{1,12})(?:\.(\d{1,2}))?$/);
  return m ? Number(m[1]) * 100 + Number((m[2] || "0").padEnd(2, "0")) : null;
}
function esc(s) { return String(s).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c])); }
