// The console's entry: sign-in and sign-out, the language switch, and the pages, each a
// module of its own that registers its loader with the router (ui.js).
import { $, api, applyLanguage, has, post, route, session, showLogin, toggleLanguage } from './ui.js';
import { closeFeed } from './dashboard.js';
import { errorText } from './errors.js';
import { watchController } from './controller.js';
import './station.js';
import './map.js';
import './schedule.js';
import './alerts.js';
import './asrun.js';
import './approvals.js';
import './federation.js';
import './users.js';
import './audit.js';

$('lang').onclick = () => { toggleLanguage(); route(); };
window.addEventListener('hashchange', route);

$('login').onsubmit = async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  const res = await fetch('/api/v1/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: form.get('user'), password: form.get('password') }) });
  if (!res.ok) { $('login-error').textContent = errorText(res.status, await res.json().catch(() => null)); return; }
  start();
watchController();
};
$('logout').onclick = async () => {
  await post('/api/v1/logout', {}).catch(() => {});
  session.me = { user: '', roles: [] };
  closeFeed();
  showLogin();
};

async function start() {
  applyLanguage();
  try {
    session.me = await api('/api/v1/whoami');
    session.console = await api('/api/v1/console');
  } catch (e) { return; /* login form shown */ }
  const { me } = session;
  $('who').textContent = `${me.user} (${me.roles.join(', ')})`;
  $('who').dataset.user = me.user;
  $('login').hidden = true; $('nav').hidden = false; $('logout').hidden = false;
  for (const a of document.querySelectorAll('#nav a[data-role]')) a.hidden = !has(a.dataset.role);
  route();
}
start();
watchController();
