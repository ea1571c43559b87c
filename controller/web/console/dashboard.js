// The overview: alarms first, then every station coloured by state, with what it sounds
// now; one live feed (server-sent events) keeps it current.
import { $, alarmText, api, badge, button, cell, has, loaders, onLeave, post, severityText, t, when } from './ui.js';

const order = { pending: 0, offline: 1, online: 2, rejected: 3, revoked: 4 };

let stations = [];
let playing = {};
// What the search box holds matches a station's id, name or commune, whatever the case
// and the Vietnamese marks ("thach ha" finds Thạch Hà).
const folded = (text) => (text || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
function matches(s, query) {
  if (!query) return true;
  return [s.id, s.name, s.commune].some((f) => folded(f).includes(query));
}
function renderStations() {
  const query = folded($('station-search').value.trim());
  const items = [...stations].filter((s) => matches(s, query))
    .sort((a, b) => order[a.state] - order[b.state] || a.id.localeCompare(b.id));
  $('stations').replaceChildren(...items.map((s) => {
    const tr = document.createElement('tr');
    tr.dataset.station = s.id; tr.className = 'st-' + s.state;
    const idCell = document.createElement('td'); const link = document.createElement('a');
    link.href = '#station/' + encodeURIComponent(s.id); link.className = 'station'; link.textContent = s.id;
    idCell.append(link);
    const st = document.createElement('td'); st.append(badge(s.state));
    const now = playing[s.id];
    tr.append(idCell, st, cell(now ? `▶ ${now.broadcast_id || now.content_id.slice(0, 8)}` : '', 'now-playing'),
              cell([s.name, s.commune].filter(Boolean).join(' · ')), cell(s.key_fingerprint, 'muted wide'), cell(when(s.last_seen_ms), 'muted wide'));
    if (s.key_conflict) {
      // Someone else asked under this id with another key: the operator must know before approving.
      tr.children[3].append(Object.assign(document.createElement('div'), { className: 'key-conflict',
        textContent: t(`⚠ khóa khác xin vào: ${s.key_conflict.fingerprint} từ ${s.key_conflict.address} (${s.key_conflict.attempts} lần)`,
                       `⚠ another key asked: ${s.key_conflict.fingerprint} from ${s.key_conflict.address} (${s.key_conflict.attempts} times)`) }));
    }
    const actions = document.createElement('td');
    const actionsFor = { pending: ['approve', 'reject'], online: ['revoke'], offline: ['revoke'], rejected: ['approve'] };
    if (has('admin')) {
      for (const action of actionsFor[s.state] || []) {
        actions.append(button(action, async () => {
          if (action === 'revoke' && !confirm(t(`Thu hồi ${s.id}? Trạm bị cắt ngay.`, `Revoke ${s.id}? It is cut off at once.`))) return;
          // Approval names the key the operator saw: the one `loa-agent fingerprint` prints on the station.
          if (action === 'approve' && !confirm(t(`Duyệt ${s.id} với khóa ${s.key_fingerprint}? Khóa phải trùng với khóa đọc tại trạm.`,
                                                 `Approve ${s.id} with key ${s.key_fingerprint}? It must match the key read on the station.`))) return;
          await post(`/api/v1/stations/${encodeURIComponent(s.id)}/${action}`, action === 'approve' ? { fingerprint: s.key_fingerprint } : {});
          refreshStations();
        }));
      }
    }
    tr.append(actions);
    return tr;
  }));
  const online = stations.filter((s) => s.state === 'online').length;
  $('summary').textContent = `${online}/${stations.length} online`;
}
function renderAlarms(items) {
  const list = items.map((a) => {
    const li = document.createElement('li'); li.className = a.severity;
    const link = document.createElement('a'); link.href = '#station/' + encodeURIComponent(a.station_id); link.textContent = a.station_id;
    li.append(link, ` ${severityText(a.severity)}: ${alarmText(a)} `, Object.assign(document.createElement('span'), { className: 'muted', textContent: when(a.raised_ms) }));
    if (has('technician') && !a.acknowledged_by) {
      li.append(' ', button(t('Đã biết', 'Acknowledge'), async () => {
        await post(`/api/v1/stations/${encodeURIComponent(a.station_id)}/alarms/${encodeURIComponent(a.alarm_id)}/ack`, {});
        li.remove();
      }));
    }
    return li;
  });
  if (!list.length) list.push(Object.assign(document.createElement('li'), { className: 'none', textContent: t('Không có báo động', 'No open alarms') }));
  $('alarms').replaceChildren(...list);
}
async function refreshStations() {
  stations = (await api('/api/v1/stations')).items;
  renderStations();
}

// One live feed for the whole console: station states, open alarms, now-playing. If it
// breaks (a proxy that buffers, say), the overview polls instead.
let feed = null;
let poller = null;
function openFeed() {
  if (feed) return;
  feed = new EventSource('/api/v1/events');
  feed.addEventListener('stations', (e) => {
    const states = new Map(JSON.parse(e.data).map((s) => [s.id, s]));
    const known = new Set(stations.map((s) => s.id));
    stations = stations.filter((s) => states.has(s.id)).map((s) => ({ ...s, state: states.get(s.id).state }));
    if ([...states.keys()].some((id) => !known.has(id))) refreshStations().catch(() => {});
    renderStations();
    $('live').textContent = '● live';
  });
  feed.addEventListener('alarms', (e) => renderAlarms(JSON.parse(e.data)));
  feed.addEventListener('now_playing', (e) => {
    playing = Object.fromEntries(JSON.parse(e.data).map((p) => [p.station_id, p]));
    renderStations();
  });
  feed.onerror = () => {
    $('live').textContent = '';
    if (!poller) {
      poller = setInterval(async () => {
        await refreshStations().catch(() => {});
        renderAlarms((await api('/api/v1/alarms').catch(() => ({ items: [] }))).items);
      }, 3000);
    }
  };
  feed.onopen = () => { clearInterval(poller); poller = null; };
}
$('station-search').oninput = renderStations;
loaders.dashboard = async () => {
  const timer = setInterval(() => refreshStations().catch(() => {}), 15000);  // last-seen times
  onLeave(() => clearInterval(timer));
  await refreshStations();
  renderAlarms((await api('/api/v1/alarms')).items);
  openFeed();
};

// Signing out ends the feed; the next sign-in opens a new one.
export function closeFeed() {
  if (feed) { feed.close(); feed = null; }
  clearInterval(poller); poller = null;
}
