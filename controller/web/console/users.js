// Users and API tokens (admins see every user; everyone sees their own tokens).
import { $, api, button, cell, has, loaders, post, t, when } from './ui.js';

const roles = ['admin', 'operator', 'emergency', 'technician', 'viewer', 'approver'];
$('user-roles').replaceChildren(...roles.map((r) => {
  const l = document.createElement('label');
  l.append(Object.assign(document.createElement('input'), { type: 'checkbox', value: r, name: 'role' }), ' ' + r + ' ');
  return l;
}));
async function loadUsers() {
  if (has('admin')) {
    const { items } = await api('/api/v1/users');
    $('users-rows').replaceChildren(...items.map((u) => {
      const tr = document.createElement('tr');
      const actions = document.createElement('td');
      actions.append(button(t('Xóa', 'Remove'), async () => {
        if (!confirm(t(`Xóa ${u.name}?`, `Remove ${u.name}?`))) return;
        await api(`/api/v1/users/${encodeURIComponent(u.name)}`, { method: 'DELETE' });
        loadUsers();
      }));
      tr.append(cell(u.name), cell(u.roles.join(', ')), cell(u.zones.join(', ') || t('tất cả', 'all')), actions);
      return tr;
    }));
  }
  const tokens = await api('/api/v1/tokens');
  $('tokens-rows').replaceChildren(...tokens.items.map((tk) => {
    const tr = document.createElement('tr');
    const actions = document.createElement('td');
    actions.append(button(t('Thu hồi', 'Revoke'), async () => {
      await api(`/api/v1/tokens/${encodeURIComponent(tk.id)}`, { method: 'DELETE' });
      loadUsers();
    }));
    tr.append(cell(tk.id), cell(tk.user), cell(tk.label), cell(tk.expires_ms ? when(tk.expires_ms) : t('không', 'never')), actions);
    return tr;
  }));
}
$('user-form').onsubmit = async (e) => {
  e.preventDefault();
  const picked = [...document.querySelectorAll('#user-roles input:checked')].map((i) => i.value);
  try {
    await post('/api/v1/users', { name: $('user-name').value, password: $('user-password').value, roles: picked,
      zones: $('user-zones').value.split(',').map((x) => x.trim()).filter(Boolean) });
    $('user-status').className = 'ok'; $('user-status').textContent = t('Đã lưu', 'Saved');
    $('user-password').value = '';
    loadUsers();
  } catch (err) { $('user-status').className = 'error'; $('user-status').textContent = err.message; }
};
$('token-form').onsubmit = async (e) => {
  e.preventDefault();
  try {
    const tk = await post('/api/v1/tokens', { label: $('token-label').value });
    const code = Object.assign(document.createElement('code'), { className: 'secret', textContent: tk.token });
    $('token-secret').replaceChildren(t('Mã này chỉ hiện một lần: ', 'Shown only once: '), code);
    loadUsers();
  } catch (err) { $('token-secret').textContent = err.message; }
};
loaders.users = loadUsers;

