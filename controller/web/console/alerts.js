// Alerts: compose, confirm with the station count typed back, live per-station progress.
import { $, api, badge, cell, has, loaders, post, t } from './ui.js';
import { barChart } from './charts.js';

let alertId = null;
let alertEvents = null;
let alertShown = '';
function showAlert(a) {
  $('alert-live').hidden = false;
  if (alertShown !== a.id + a.state) { alertShown = a.id + a.state; loadAlertHistory().catch(() => {}); }
  $('alert-id').textContent = (a.label ? `[${a.label}] ` : '') + a.id;
  $('alert-state').textContent = a.state;
  $('alert-progress').textContent = a.progress || '';
  // The same progress in the list as in the panel: both from this one view.
  const row = document.querySelector(`#alert-history tr[data-alert="${CSS.escape(a.id)}"]`);
  if (row) { row.cells[1].replaceChildren(badge(a.state)); row.cells[2].textContent = a.progress || ''; }
  if (!a.stations) return;  // a reply with counts only: the live view brings the stations
  $('alert-stations').replaceChildren(...a.stations.map((s) => {
    const tr = document.createElement('tr');
    const st = document.createElement('td'); st.append(badge(s.state));
    tr.append(cell(s.station), st, cell(s.first_sound_after_ms ?? '—', 'muted'), cell(s.detail || '', 'muted'));
    return tr;
  }));
  // How soon each station sounded, in seconds from the issue: the slow ones stand out.
  const sounded = a.stations.filter((s) => typeof s.first_sound_after_ms === 'number')
    .sort((p, q) => p.first_sound_after_ms - q.first_sound_after_ms);
  $('alert-delivery-chart').hidden = !sounded.length;
  if (sounded.length) {
    barChart($('alert-delivery-chart'), 'chart-alert-delivery', {
      title: t('Thời gian tới tiếng đầu tiên ở mỗi trạm', 'Time to first sound at each station'),
      labels: sounded.map((s) => s.station),
      series: [{ label: t('giây', 'seconds'), values: sounded.map((s) => s.first_sound_after_ms / 1000) }],
      x: t('Trạm', 'Station'), y: t('Giây từ lúc phát lệnh (s)', 'Seconds from issue (s)') });
  }
}
function follow(id) {
  if (alertEvents) alertEvents.close();
  alertEvents = new EventSource(`/api/v1/alerts/${encodeURIComponent(id)}/events`);
  alertEvents.addEventListener('alert', (e) => showAlert(JSON.parse(e.data)));
}
async function alertCall(path, body) {
  try {
    const out = await post(path, body);
    $('alert-error').textContent = '';
    return out;
  } catch (e) { $('alert-error').textContent = e.message; throw e; }
}
$('alert-form').onsubmit = async (e) => {
  e.preventDefault();
  const draft = await alertCall('/api/v1/alerts', {
    tts: $('alert-text').value, to: $('alert-to').value.split(',').map((x) => x.trim()).filter(Boolean),
    severity: $('alert-severity').value, status: $('alert-status').value });
  alertId = draft.id;
  // An Actual alert must not look like a drill: red, in capitals, with the count.
  const actual = draft.status === 'actual';
  $('alert-confirm').className = actual ? 'actual' : 'drill';
  $('alert-stakes').textContent = actual
    ? t(`ACTUAL — THẬT: CẢNH BÁO ${draft.severity.toUpperCase()} SẼ PHÁT THẬT TRÊN ${draft.target_count} TRẠM`,
        `ACTUAL: A REAL ${draft.severity.toUpperCase()} ALERT TO ${draft.target_count} STATIONS`)
    : t(`${draft.status === 'test' ? 'THỬ' : 'DIỄN TẬP'}: ${draft.target_count} trạm`,
        `${draft.status.toUpperCase()}: ${draft.target_count} stations`);
  const kind = draft.status === 'actual' ? '' : ` (${draft.status.toUpperCase()})`;
  const severityVi = { extreme: 'CỰC KỲ NGUY HIỂM', severe: 'NGUY HIỂM', moderate: 'TRUNG BÌNH', minor: 'NHẸ' }[draft.severity] || draft.severity;
  const kindVi = { actual: '', exercise: ' (DIỄN TẬP)', test: ' (THỬ)', system: ' (HỆ THỐNG)', draft: ' (NHÁP)' }[draft.status] ?? kind;
  $('alert-prompt').textContent = t(
    `Phát cảnh báo mức ${severityVi}${kindVi} tới ${draft.target_count} trạm? Nhập số trạm (${draft.target_count}) để xác nhận.`,
    `Issue ${draft.severity.toUpperCase()} alert${kind} to ${draft.target_count} stations? Type the station count (${draft.target_count}) to confirm.`);
  $('alert-count').value = '';
  $('alert-confirm').hidden = false;
  $('alert-count').focus();
};
$('alert-issue').onclick = async () => {
  const issued = await alertCall(`/api/v1/alerts/${encodeURIComponent(alertId)}/confirm`, { target_count: Number($('alert-count').value) });
  $('alert-confirm').hidden = true;
  showAlert(issued);
  follow(alertId);
  loadAlertHistory();
};
$('alert-cancel').onclick = async () => {
  if (!alertId || !confirm(t('Hủy cảnh báo trên mọi trạm?', 'Cancel the alert on every station?'))) return;
  showAlert(await alertCall(`/api/v1/alerts/${encodeURIComponent(alertId)}/cancel`, { reason: 'cancelled from the console' }));
  follow(alertId);
};
$('alert-allclear').onclick = async () => {
  if (!alertId) return;
  showAlert(await alertCall(`/api/v1/alerts/${encodeURIComponent(alertId)}/all-clear`, {}));
  follow(alertId);
};
async function loadAlertHistory() {
  const { items } = await api('/api/v1/alerts?limit=20');
  $('alert-history').replaceChildren(...items.map((a) => {
    const tr = document.createElement('tr');
    tr.dataset.alert = a.id;
    const link = document.createElement('a'); link.href = '#alerts'; link.textContent = (a.label ? `[${a.label}] ` : '') + a.id;
    link.onclick = () => { alertId = a.id; showAlert(a); follow(a.id); };
    const id = document.createElement('td'); id.append(link);
    const st = document.createElement('td'); st.append(badge(a.state));
    tr.append(id, st, cell(a.progress || ''), cell(a.created_by, 'muted'));
    return tr;
  }));
}
loaders.alerts = () => {
  $('alert-draft').disabled = !has('emergency');
  loadAlertHistory();
};

