// Which controller the console is talking to, and whether that changed. With a standby
// pair behind one address (a floating IP, a proxy), a failover is invisible to the
// browser but for this: the controller's name or lease epoch in /api/v1/health changes.
// The last one seen is kept in the browser, so a failover that logged the operator out
// is still told after they log in again, until they dismiss it.
import { $, t, when } from './ui.js';

const seenKey = 'loa.controller';
const noticeKey = 'loa.failover';

function showNotice() {
  const notice = JSON.parse(localStorage.getItem(noticeKey) || 'null');
  const el = $('failover');
  el.hidden = !notice;
  if (!notice) return;
  $('failover-text').textContent = t(
    `Đã chuyển máy điều khiển: ${notice.to} thay ${notice.from} lúc ${when(notice.at)} (lượt ${notice.epoch}).`,
    `Controller failover: ${notice.to} took over from ${notice.from} at ${when(notice.at)} (epoch ${notice.epoch}).`);
}

async function check() {
  let health = null;
  try {
    health = await (await fetch('/api/v1/health', { cache: 'no-store' })).json();
  } catch (e) { /* unreachable: said below */ }
  const el = $('controller');
  if (!health || !health.role) {
    el.textContent = t('máy điều khiển không trả lời', 'controller not answering');
    el.className = 'error';
    return;
  }
  el.className = 'muted';
  if (health.role === 'standby') {
    el.textContent = t(`máy dự phòng ${health.node}; máy đang chạy: ${health.active?.url ?? '?'}`,
                       `standby ${health.node}; the active one: ${health.active?.url ?? '?'}`);
    return;
  }
  if (!health.node) { el.textContent = ''; return; }  // one controller, no pair
  el.textContent = t(`máy điều khiển ${health.node} · lượt ${health.epoch}`, `controller ${health.node} · epoch ${health.epoch}`);
  const seen = JSON.parse(localStorage.getItem(seenKey) || 'null');
  if (seen && seen.epoch !== health.epoch) {
    localStorage.setItem(noticeKey, JSON.stringify({ from: seen.node, to: health.node, epoch: health.epoch, at: Date.now() }));
  }
  localStorage.setItem(seenKey, JSON.stringify({ node: health.node, epoch: health.epoch }));
  showNotice();
}

$('failover-dismiss').onclick = () => { localStorage.removeItem(noticeKey); showNotice(); };

export function watchController() {
  check();
  setInterval(check, 3000);
}
