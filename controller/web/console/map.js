// The map: every station with a position ("lat,lon") where it stands, coloured by its
// state, a station with an open alarm drawn larger and ringed; the zone tree beside it.
// Leaflet comes from the system (libjs-leaflet). The tiles come from the configured
// source (the province's own tile server, or OpenStreetMap); with none set, or none
// reachable, the stations still stand at their positions on a plain background.
import { $, api, loaders, onLeave, session, t } from './ui.js';

const colours = { online: '#2a9d8f', offline: '#c1121f', pending: '#e9c46a', rejected: '#6c757d', revoked: '#6c757d' };
let map = null;
let markers = null;

function stateText(state) {
  return { online: t('trực tuyến', 'online'), offline: t('mất liên lạc', 'offline'), pending: t('chờ duyệt', 'pending'),
           rejected: t('bị từ chối', 'rejected'), revoked: t('đã thu hồi', 'revoked') }[state] || state;
}

const latLng = (s) => [s.position.lat, s.position.lon];

function makeMap() {
  if (map || !window.L) return map;
  // A view first: Leaflet draws no layer on a map that has none. Vietnam, until the
  // stations' own bounds are known.
  map = L.map('map-view', { zoomControl: true, attributionControl: true }).setView([16, 106], 5);
  const tiles = session.console?.map?.tiles;
  if (tiles) L.tileLayer(tiles, { maxZoom: 18, attribution: session.console.map.attribution || '' }).addTo(map);
  $('map-view').classList.toggle('plain', !tiles);
  markers = L.layerGroup().addTo(map);
  return map;
}

function drawStations(stations, alarmed) {
  markers.clearLayers();
  const placed = [];
  for (const s of stations) {
    if (!s.position) continue;
    const alarm = alarmed.get(s.id);
    const marker = L.circleMarker(latLng(s), {
      radius: alarm ? 12 : 7, weight: alarm ? 4 : 1, color: alarm ? '#7a1010' : '#1d2330',
      fillColor: colours[s.state] || '#6c757d', fillOpacity: 0.9,
      className: `map-station st-${s.state}${alarm ? ' alarmed' : ''}`,
    });
    const label = `${s.name || s.id} — ${stateText(s.state)}` +
      (alarm ? ` — ${alarm} ${t('báo động', alarm === 1 ? 'alarm' : 'alarms')}` : '');
    // Named on the map itself: with no tiles, the names are what a place is known by.
    marker.bindTooltip(s.name || s.id, { permanent: true, direction: 'right', offset: [12, 0], className: 'map-label' });
    marker.on('click', () => { location.hash = '#station/' + encodeURIComponent(s.id); });
    marker.addTo(markers);
    const el = marker.getElement();
    el.dataset.station = s.id;
    el.setAttribute('role', 'link');
    el.setAttribute('aria-label', label);
    // Reached by Tab like any link, and opened with Enter.
    el.setAttribute('tabindex', '0');
    el.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); location.hash = '#station/' + encodeURIComponent(s.id); }
    });
    placed.push(latLng(s));
  }
  return placed;
}

// Zones as a tree (a zone under its parent), each with its stations; a click on a zone
// shows its stations on the map.
function drawTree(zones, stationById) {
  const zoneIds = new Set(zones.map((z) => z.id));
  const stationsAt = (z) => (z.stations || []).map((id) => stationById.get(id)).filter(Boolean);
  const children = new Map();
  for (const z of zones) {
    const parent = z.parent_id && zoneIds.has(z.parent_id) ? z.parent_id : '';
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(z);
  }
  const branch = (parent) => {
    const ul = document.createElement('ul');
    for (const z of (children.get(parent) || []).sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id))) {
      const li = document.createElement('li');
      const zone = document.createElement('button');
      zone.type = 'button'; zone.className = 'link'; zone.textContent = z.name || z.id; zone.dataset.zone = z.id;
      zone.onclick = () => {
        const here = stationsAt(z).filter((s) => s.position).map(latLng);
        if (here.length) map.fitBounds(here, { padding: [30, 30], maxZoom: 14, animate: false });
      };
      li.append(zone);
      const list = document.createElement('ul');
      for (const s of stationsAt(z)) {
        const item = document.createElement('li');
        const a = document.createElement('a');
        a.href = '#station/' + encodeURIComponent(s.id); a.textContent = s.name || s.id;
        item.append(a, ' ', Object.assign(document.createElement('span'), { className: 'state ' + s.state, textContent: stateText(s.state) }));
        list.append(item);
      }
      if (list.children.length) li.append(list);
      if (children.has(z.id)) li.append(branch(z.id));
      ul.append(li);
    }
    return ul;
  };
  $('map-tree').replaceChildren(branch(''));
}

async function showMap(fit) {
  const [stations, alarms, zones] = await Promise.all([
    api('/api/v1/stations'), api('/api/v1/alarms'), api('/api/v1/zones')]);
  const alarmed = new Map();
  for (const a of alarms.items || []) alarmed.set(a.station_id, (alarmed.get(a.station_id) || 0) + 1);
  drawTree(zones.items, new Map(stations.items.map((s) => [s.id, s])));
  const unplaced = stations.items.filter((s) => !s.position).length;
  $('map-note').textContent = unplaced
    ? t(`${unplaced} trạm chưa có tọa độ (vĩ độ,kinh độ)`, `${unplaced} stations have no position (lat,lon)`) : '';
  if (!makeMap()) {
    $('map-note').textContent = t('Bản đồ cần gói libjs-leaflet trên máy chủ', 'The map needs the libjs-leaflet package on the controller');
    return;
  }
  const placed = drawStations(stations.items, alarmed);
  if (fit && placed.length) map.fitBounds(placed, { padding: [30, 30], maxZoom: 14, animate: false });
}

loaders.map = () => {
  const failed = (e) => { $('map-note').textContent = e.message; };
  showMap(true).catch(failed);
  const timer = setInterval(() => showMap(false).catch(failed), 5000);
  onLeave(() => clearInterval(timer));
};
