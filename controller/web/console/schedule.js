// The schedule: clips (upload with progress), a new broadcast with conflict feedback, the
// week ahead and the list.
import { $, api, ApiError, badge, button, cell, has, loaders, locale, post, t, timeZone, wallTime, whenText, zoneOffset } from './ui.js';

function uploadClip(file, name) {
  // XMLHttpRequest, not fetch: it reports upload progress.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/clips?name=' + encodeURIComponent(name));
    xhr.upload.onprogress = (e) => {
      if (!e.lengthComputable) return;
      const pct = Math.round((e.loaded / e.total) * 100);
      $('clip-progress').value = pct;
      $('clip-status').textContent = `${pct}%`;
    };
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status === 201) resolve(body); else reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new ApiError(0, null));
    xhr.send(file);
  });
}
$('clip-form').onsubmit = async (e) => {
  e.preventDefault();
  const file = $('clip-file').files[0];
  if (!file) return;
  $('clip-progress').hidden = false; $('clip-progress').value = 0;
  $('clip-status').className = 'muted';
  try {
    $('clip-status').textContent = '0%';
    const clip = await uploadClip(file, $('clip-name').value || file.name);
    $('clip-progress').value = 100;
    $('clip-status').className = 'ok';
    $('clip-status').textContent = `100% — ${t('đã lưu', 'stored')}: ${clip.name} (${(clip.duration_ms / 1000).toFixed(1)} s)`;
    await loadClips(clip.id);
  } catch (err) {
    $('clip-status').className = 'error';
    $('clip-status').textContent = err.message;
  }
};
async function loadClips(select) {
  const { items } = await api('/api/v1/clips');
  $('clips').replaceChildren(...items.map((c) => {
    const tr = document.createElement('tr');
    tr.append(cell(c.name), cell(`${(c.duration_ms / 1000).toFixed(1)} s`), cell(c.id.slice(0, 12), 'muted wide'));
    return tr;
  }));
  const options = [Object.assign(document.createElement('option'), { value: '', textContent: t('— văn bản đọc —', '— text read aloud —') })];
  for (const c of items) options.push(Object.assign(document.createElement('option'), { value: c.id, textContent: c.name }));
  $('bc-clip').replaceChildren(...options);
  if (select) $('bc-clip').value = select;
}
$('bc-form').onsubmit = async (e) => {
  e.preventDefault();
  const body = {
    title: $('bc-title').value, to: $('bc-to').value.split(',').map((x) => x.trim()).filter(Boolean),
    start: $('bc-start').value.replace('T', ' '), priority: $('bc-priority').value, override: $('bc-override').checked };
  // The time typed is a wall-clock time in the broadcast's zone (the controller's by
  // default), whatever zone the browser's machine is set to.
  body.tz = $('bc-zone').value.trim() || timeZone();
  if ($('bc-clip').value) body.clip_id = $('bc-clip').value; else body.tts = $('bc-tts').value;
  if ($('bc-rrule').value.trim()) body.rrule = $('bc-rrule').value.trim();
  const feedback = $('bc-feedback');
  try {
    const b = await post('/api/v1/broadcasts', body);
    feedback.className = 'ok';
    feedback.textContent = `${t('Đã xếp lịch', 'Scheduled')} ${b.id}: ${whenText(b.next)}`;
    $('bc-override-label').hidden = true; $('bc-override').checked = false;
    loadBroadcasts();
  } catch (err) {
    feedback.className = 'error';
    feedback.replaceChildren(Object.assign(document.createElement('p'), { textContent: err.message }));
    if (err.body?.conflicts) {
      // Show what it overlaps and offer to schedule anyway.
      const ul = document.createElement('ul'); ul.id = 'bc-conflicts';
      for (const c of err.body.conflicts) {
        ul.append(Object.assign(document.createElement('li'), {
          textContent: `${c.broadcast_id} ${c.title || ''} (${c.priority}) ${whenText(c.other_at)} – ${whenText(c.other_until)}: ${c.stations.join(', ')}` }));
      }
      feedback.append(ul);
      $('bc-override-label').hidden = false;
    }
  }
};
async function loadBroadcasts() {
  const { items } = await api('/api/v1/broadcasts');
  $('bc-list').replaceChildren(...items.map((b) => {
    const tr = document.createElement('tr'); tr.dataset.broadcast = b.id;
    const st = document.createElement('td'); st.append(badge(b.state));
    const actions = document.createElement('td');
    if (has('operator') && b.state === 'active') {
      actions.append(button(t('Hủy', 'Cancel'), async () => {
        if (!confirm(t(`Hủy ${b.id} trên mọi trạm?`, `Cancel ${b.id} on every station?`))) return;
        await api(`/api/v1/broadcasts/${encodeURIComponent(b.id)}`, { method: 'DELETE' });
        loadBroadcasts();
      }));
    }
    tr.append(cell(b.id), cell(b.title || b.content.text || b.content.kind), cell(b.to.join(', ')), cell(whenText(b.next)),
              cell(b.rrule || '—', 'wide muted'), st, actions);
    return tr;
  }));
  // The week ahead in the controller's zone: each active broadcast's occurrences in the
  // next 7 days, by day, at the same wall-clock times the form and the conflicts use.
  const today = wallTime(Date.now()).slice(0, 10);
  const days = [];
  for (let i = 0; i < 7; ++i) days.push(new Date(Date.parse(today + 'T12:00:00Z') + i * 86400000).toISOString().slice(0, 10));
  const byDay = days.map(() => []);
  const active = items.filter((b) => b.state === 'active').slice(0, 50);
  const details = await Promise.all(active.map((b) => api(`/api/v1/broadcasts/${encodeURIComponent(b.id)}?occurrences=50`).catch(() => null)));
  for (const b of details) {
    for (const o of b?.occurrences || []) {
      const i = days.indexOf(wallTime(o.at_ms).slice(0, 10));
      if (i >= 0) byDay[i].push({ at: o.at_ms, b });
    }
  }
  $('bc-calendar-zone').textContent = `${timeZone()} (${zoneOffset()})`;
  $('bc-calendar').replaceChildren(...days.map((d, i) => {
    const div = document.createElement('div'); div.className = 'day';
    div.append(Object.assign(document.createElement('h4'), { textContent:
      new Date(d + 'T12:00:00Z').toLocaleDateString(locale(), { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'numeric' }) }));
    for (const o of byDay[i].sort((x, y) => x.at - y.at)) {
      const hhmm = wallTime(o.at).slice(11);
      div.append(Object.assign(document.createElement('div'), {
        className: 'occ ' + o.b.priority, title: `${o.b.id} → ${o.b.to.join(', ')}`, textContent: `${hhmm} ${o.b.title || o.b.id}` }));
    }
    return div;
  }));
}
loaders.schedule = async () => {
  if (!$('bc-zone').value) $('bc-zone').value = timeZone();
  if (!$('bc-start').value) $('bc-start').value = wallTime(Date.now() + 3600 * 1000, $('bc-zone').value);
  $('clip-upload').disabled = $('bc-save').disabled = !has('operator');
  await loadClips();
  await loadBroadcasts();
};

