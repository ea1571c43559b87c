// What every page of the console shares: the signed-in user, the language, calls to the
// API, small DOM helpers, and the router that shows one page at a time.
import { errorText } from './errors.js';

export const $ = (id) => document.getElementById(id);
export const session = { me: { user: '', roles: [] }, console: { time_zone: 'Asia/Ho_Chi_Minh', map: {} } };

// Vietnamese by default; English on request (remembered). Markup carries the English in
// data-en; messages built in scripts pass both.
let lang = localStorage.getItem('loa-lang') || 'vi';
export const t = (vi, en) => (lang === 'en' ? en : vi);
export const locale = () => (lang === 'en' ? 'en-GB' : 'vi-VN');
export function toggleLanguage() {
  lang = lang === 'en' ? 'vi' : 'en';
  localStorage.setItem('loa-lang', lang);
  applyLanguage();
}
export function applyLanguage() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-en]')) {
    if (el.dataset.vi === undefined) el.dataset.vi = el.textContent;
    el.textContent = lang === 'en' ? el.dataset.en : el.dataset.vi;
  }
  for (const el of document.querySelectorAll('[data-en-placeholder]')) {
    if (el.dataset.viPlaceholder === undefined) el.dataset.viPlaceholder = el.placeholder;
    el.placeholder = lang === 'en' ? el.dataset.enPlaceholder : el.dataset.viPlaceholder;
  }
  $('lang').textContent = lang === 'en' ? 'VI' : 'EN';
}

// A refused request; its message is in the reader's language (errors.js), its code the
// API's own.
export class ApiError extends Error {
  constructor(status, body) {
    super(errorText(status, body));
    this.status = status; this.body = body; this.code = body?.error?.code;
  }
}
export async function api(path, options = {}) {
  const res = await fetch(path, { credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, ...options });
  if (res.status === 401) { showLogin(); throw new ApiError(401, null); }
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}
export const post = (path, body) => api(path, { method: 'POST', body: JSON.stringify(body) });

export function showLogin() {
  $('login').hidden = false; $('nav').hidden = true; $('logout').hidden = true;
  for (const s of document.querySelectorAll('[data-page]')) s.hidden = true;
}

export function cell(text, cls) { const td = document.createElement('td'); td.textContent = text ?? ''; if (cls) td.className = cls; return td; }
export function badge(state) { const s = document.createElement('span'); s.className = 'state ' + state; s.textContent = state; return s; }
export function button(label, onclick) { const b = document.createElement('button'); b.textContent = label; b.onclick = onclick; return b; }
// Every time is shown in the controller's zone (the operators' own, Asia/Ho_Chi_Minh by
// default) whatever the browser's, and says which zone it is in.
export const timeZone = () => session.console.time_zone || 'Asia/Ho_Chi_Minh';
// (Intl refuses a zone name beside dateStyle and timeStyle: the fields are named one by one.)
const kDateTime = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
export function formatTime(ms, options = kDateTime) {
  return new Intl.DateTimeFormat(locale(), { timeZone: timeZone(), timeZoneName: 'shortOffset', ...options }).format(new Date(ms));
}
// "GMT+7": the zone's offset at `ms`, as the times carry it.
export function zoneOffset(ms = Date.now()) {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: timeZone(), timeZoneName: 'shortOffset' }).formatToParts(new Date(ms));
  return parts.find((p) => p.type === 'timeZoneName')?.value || timeZone();
}
export const when = (ms) => (ms ? formatTime(ms) : '—');
// An instant as a wall-clock time in the zone: "YYYY-MM-DDTHH:MM", as a datetime-local
// field holds it (and its first ten characters name the day).
export function wallTime(ms, zone = timeZone()) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', year: 'numeric',
    month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}
// A time the API gives as ISO 8601 text ("2026-12-05T06:00:00+07:00"), shown as every
// other time is.
export const whenText = (iso) => (iso ? formatTime(Date.parse(iso)) : '—');
// An alarm's text in the page's language: the station's Vietnamese where its profile
// gives one.
export const alarmText = (a) => t(a.message_vi || a.message, a.message);
const kSeverity = { critical: ['nghiêm trọng', 'critical'], warning: ['cảnh báo', 'warning'], info: ['thông tin', 'info'] };
export const severityText = (s) => (kSeverity[s] ? t(...kSeverity[s]) : s);
export const has = (role) => session.me.roles.includes('admin') || session.me.roles.includes(role);

// ---- Pages: the hash names the page (#station/ID for a station). Each page module
// registers its loader here; a loader may leave a function to run when the page is left.
export const loaders = {};
let leaving = null;
export function onLeave(fn) { leaving = fn; }
export function route() {
  if (!session.me.user) return;
  const [page, arg] = (location.hash.slice(1) || 'dashboard').split('/');
  const name = loaders[page] ? page : 'dashboard';
  for (const s of document.querySelectorAll('[data-page]')) s.hidden = s.dataset.page !== name;
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('current', a.getAttribute('href') === '#' + name);
  if (leaving) { leaving(); leaving = null; }
  Promise.resolve(loaders[name](arg && decodeURIComponent(arg))).catch(() => { /* shown where it failed, or the login */ });
}
