// The audit log and the check of its hash chain.
import { $, api, cell, loaders, t, when } from './ui.js';

loaders.audit = async () => {
  const { items } = await api('/api/v1/audit?limit=300');
  $('audit-rows').replaceChildren(...items.map((a) => {
    const tr = document.createElement('tr');
    tr.append(cell(when(a.at_ms), 'muted'), cell(a.user), cell(a.action), cell(a.subject), cell(a.address, 'muted wide'),
              cell(a.result, a.result >= 400 ? 'error' : ''));
    return tr;
  }));
};
$('audit-verify').onclick = async () => {
  const check = await api('/api/v1/audit/verify');
  $('audit-status').className = check.intact ? 'ok' : 'error';
  $('audit-status').textContent = check.intact
    ? t(`Nguyên vẹn: ${check.entries} mục`, `Intact: ${check.entries} entries`)
    : t(`BỊ SỬA ở mục ${check.broken_at}`, `BROKEN at entry ${check.broken_at}`);
};

