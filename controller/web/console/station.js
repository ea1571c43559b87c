// A station: readings, compliance, alarms and a temperature chart; silent test, amplifier
// switch, and the licence the controller keeps for it.
import { $, api, cell, has, loaders, onLeave, post, t } from './ui.js';

function chart(items) {
  const svg = $('station-chart');
  const ns = 'http://www.w3.org/2000/svg';
  const points = items.filter((p) => typeof p.temperature_c === 'number');
  if (points.length < 2) { svg.replaceChildren(); return; }
  const t0 = points[0].measured_at_ms, t1 = points[points.length - 1].measured_at_ms || t0 + 1;
  const lo = Math.min(...points.map((p) => p.temperature_c)) - 1, hi = Math.max(...points.map((p) => p.temperature_c)) + 1;
  const byDevice = {};
  for (const p of points) (byDevice[p.device_id] ||= []).push(p);
  const colours = ['#c1121f', '#1d3557', '#2a9d8f'];
  svg.replaceChildren(...Object.entries(byDevice).map(([device, list], i) => {
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute('fill', 'none'); line.setAttribute('stroke', colours[i % 3]); line.setAttribute('stroke-width', '2');
    line.dataset.device = device;
    line.setAttribute('points', list.map((p) =>
      `${((p.measured_at_ms - t0) / Math.max(1, t1 - t0) * 600).toFixed(1)},${(160 - (p.temperature_c - lo) / (hi - lo) * 160).toFixed(1)}`).join(' '));
    return line;
  }));
}
async function showStation(id) {
  const h = await api(`/api/v1/stations/${encodeURIComponent(id)}/health`);
  const num = (v, digits = 1) => (typeof v === 'number' ? v.toFixed(digits) : '—');
  $('station-devices').replaceChildren(...(h.devices || []).map((d) => {
    const tr = document.createElement('tr');
    tr.append(cell(d.device_id), cell(d.reachable ? 'yes' : 'NO'), cell(num(d.temperature_c)), cell(num(d.forward_power_w)),
              cell(num(d.reflected_power_w)), cell(d.carrier_khz ?? '—', 'wide'),
              cell(d.band_compliant === undefined ? '—' : (d.band_compliant ? 'yes' : 'NO'), 'wide'));
    return tr;
  }));
  // The station's clock against the controller's: whether stations sound together.
  const clock = h.clock ? ` · ${t('Đồng hồ', 'Clock')}: ${h.clock.clock_locked ? t('khớp', 'locked') : t('CHƯA KHỚP', 'NOT LOCKED')}` +
    ` (${num(h.clock.clock_offset_ms)} ms, RTT ${num(h.clock.clock_rtt_ms)} ms)` : '';
  $('station-compliance').textContent =
    (h.compliance ? `${t('Tuân thủ băng tần', 'Band compliance')}: ${h.compliance.status}` : '') + clock;
  $('station-alarms').replaceChildren(...(h.alarms || []).map((a) => {
    const li = document.createElement('li'); li.className = a.severity; li.textContent = `${a.severity}: ${a.message}`; return li; }));
  // Long ranges are thinned by the server's limit; the chart shows the shape.
  const hours = Number($('station-range').value);
  const telemetry = await api(`/api/v1/stations/${encodeURIComponent(id)}/telemetry?since_ms=${Date.now() - hours * 3600 * 1000}&limit=10000`);
  chart(telemetry.items || []);
}
async function stationCommand(body, label) {
  const id = $('station-id').textContent;
  $('station-result').textContent = `${label}…`;
  try {
    let c = await post(`/api/v1/stations/${encodeURIComponent(id)}/commands`, body);
    for (let i = 0; i < 100 && c.state === 'pending'; ++i) {
      await new Promise((r) => setTimeout(r, 200));
      c = await api(`/api/v1/commands/${encodeURIComponent(c.id)}`);
    }
    $('station-result').textContent = `${label}: ${c.state}${c.detail ? ' — ' + c.detail : ''}`;
  } catch (e) { $('station-result').textContent = `${label}: ${e.message}`; }
}
$('station-silent-test').onclick = () => stationCommand({ type: 'silent_test' }, t('Kiểm tra không tiếng', 'Silent test'));
$('station-amp-on').onclick = () => stationCommand({ type: 'set_amplifier', on: true }, t('Bật khuếch đại', 'Amplifier on'));
$('station-amp-off').onclick = () => {
  if (confirm(t('Tắt khuếch đại? Trạm sẽ im lặng.', 'Switch the amplifier off? The station goes silent.'))) {
    stationCommand({ type: 'set_amplifier', on: false }, t('Tắt khuếch đại', 'Amplifier off'));
  }
};
// The licence the controller keeps, and whether the station checks against it yet.
async function showLicence(id, fillForm) {
  let l = null;
  try { l = await api(`/api/v1/stations/${encodeURIComponent(id)}/licence`); } catch (e) { if (e.status !== 404) throw e; }
  if (!l) { $('station-licence').textContent = t('Chưa có giấy phép trên máy chủ', 'No licence on the controller'); return; }
  const days = l.days_left === undefined ? '' : (l.days_left < 0 ? ` — ${t('ĐÃ HẾT HẠN', 'EXPIRED')}` : ` — ${l.days_left} ${t('ngày', 'days')}`);
  $('station-licence').textContent = `${l.assigned_khz} kHz ± ${l.tolerance_khz}, ${l.max_power_w} W, ` +
    `${t('hết hạn', 'expires')} ${l.expires}${days}; ${t('tại trạm', 'at the station')}: ${l.delivery || '—'}`;
  if (!fillForm) return;
  const f = $('licence-form');
  for (const k of ['assigned_khz', 'tolerance_khz', 'max_power_w', 'expires', 'type_approval']) f[k].value = l[k] ?? '';
  f.temporary.checked = !!l.temporary;
}
$('licence-form').onsubmit = async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  const id = $('station-id').textContent;
  const body = { assigned_khz: Number(f.assigned_khz.value), tolerance_khz: Number(f.tolerance_khz.value),
                 max_power_w: Number(f.max_power_w.value), expires: f.expires.value, temporary: f.temporary.checked };
  if (f.type_approval.value) body.type_approval = f.type_approval.value;
  try {
    await api(`/api/v1/stations/${encodeURIComponent(id)}/licence`, { method: 'PUT', body: JSON.stringify(body) });
    $('licence-result').textContent = t('Đã lưu; đang gửi tới trạm', 'Saved; being sent to the station');
    await showLicence(id, false);
  } catch (e) { $('licence-result').textContent = e.message; }
};
loaders.station = (id) => {
  $('station-id').textContent = id;
  $('station-result').textContent = '';
  $('licence-result').textContent = '';
  $('licence-form').reset();
  for (const b of ['station-silent-test', 'station-amp-on', 'station-amp-off']) $(b).disabled = !has('technician');
  for (const el of $('licence-form').elements) el.disabled = !has('technician');
  showLicence(id, true).catch(() => {});
  const tick = () => Promise.all([showStation(id), showLicence(id, false)]).catch(() => {});
  tick();
  const timer = setInterval(tick, 2000);
  $('station-range').onchange = tick;
  onLeave(() => clearInterval(timer));
};

