// The Exemplar demo page: examples painted on canvases, targets segmented by the server, results corrected and fed back.
// Masks are kept as one class id per pixel (0 background, i the i-th class) at each image's own size.
'use strict';

const PALETTE = ['#e6194b', '#3cb44b', '#0082c8', '#f58230', '#911eb4', '#46f0f0', '#f032e6', '#d2f53c', '#fabed4', '#008080', '#aa6e28', '#800000'];
const state = {
  classes: [{ name: 'object', color: PALETTE[0], visible: true }],
  active: 0, tool: 'brush', brush: 30, opacity: 0.5,
  examples: [], targets: [], promptId: null, promptDirty: true, loadedPrompt: null,
};
const $ = sel => document.querySelector(sel);
const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  for (const c of children) e.append(c);
  return e;
};
const rgb = hex => [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
const status = (text, error = false) => { $('#status').textContent = text; $('#status').classList.toggle('error', error); };
const baseName = name => name.replace(/\.[^.]+$/, '');

function headers(extra = {}) {
  const key = $('#api-key').value.trim();
  return key ? { ...extra, 'X-Api-Key': key } : extra;
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: headers(options.headers) });
  if (!response.ok) {
    let detail = `${response.status} ${response.statusText}`;
    try { const p = await response.json(); detail = `${p.title}: ${p.detail ?? ''} (${p.status})`; } catch { /* not a problem document */ }
    throw new Error(detail);
  }
  return response;
}

// ---------- images and masks ----------

async function loadImage(blob) {
  // The server turns photos upright by EXIF; so does createImageBitmap with imageOrientation 'from-image'.
  return createImageBitmap(blob, { imageOrientation: 'from-image' });
}

async function idsFromPng(blob, w, h) {
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const c = new OffscreenCanvas(w, h), ctx = c.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  const rgba = ctx.getImageData(0, 0, w, h).data, ids = new Uint8Array(w * h);
  for (let i = 0; i < ids.length; i++) ids[i] = rgba[4 * i];
  return ids;
}

// ids → PNG; scale 255 turns a one-class map into a 0/255 mask for people and tools, 1 keeps the ids.
async function pngFromIds(ids, w, h, scale = 1) {
  const c = new OffscreenCanvas(w, h), ctx = c.getContext('2d');
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < ids.length; i++) {
    const v = Math.min(255, ids[i] * scale);
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return c.convertToBlob({ type: 'image/png' });
}

// A canvas view of an image with a class-id overlay, redrawn in full or in a dirty rectangle.
class MaskView {
  constructor(bitmap, ids, editable) {
    this.bitmap = bitmap; this.w = bitmap.width; this.h = bitmap.height; this.ids = ids;
    const scale = Math.min(1, 460 / this.w, 460 / this.h);
    this.canvas = el('canvas', { width: Math.round(this.w * scale), height: Math.round(this.h * scale), className: editable ? 'editor' : 'view' });
    this.overlay = new OffscreenCanvas(this.w, this.h);
    this.overlayCtx = this.overlay.getContext('2d');
    this.overlayData = this.overlayCtx.createImageData(this.w, this.h);
    this.polygon = null;
    this.refresh();
  }
  refresh(x0 = 0, y0 = 0, x1 = this.w, y1 = this.h) {
    x0 = Math.max(0, Math.floor(x0)); y0 = Math.max(0, Math.floor(y0));
    x1 = Math.min(this.w, Math.ceil(x1)); y1 = Math.min(this.h, Math.ceil(y1));
    const colours = state.classes.map(c => c.visible ? rgb(c.color) : null), d = this.overlayData.data;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = y * this.w + x, c = this.ids[i] ? colours[this.ids[i] - 1] : null;
        if (c) { d[4 * i] = c[0]; d[4 * i + 1] = c[1]; d[4 * i + 2] = c[2]; d[4 * i + 3] = 255; } else d[4 * i + 3] = 0;
      }
    }
    if (x1 > x0 && y1 > y0) this.overlayCtx.putImageData(this.overlayData, 0, 0, x0, y0, x1 - x0, y1 - y0);
    this.draw();
  }
  draw() {
    const ctx = this.canvas.getContext('2d'), cw = this.canvas.width, ch = this.canvas.height;
    ctx.globalAlpha = 1; ctx.drawImage(this.bitmap, 0, 0, cw, ch);
    ctx.globalAlpha = state.opacity; ctx.drawImage(this.overlay, 0, 0, cw, ch);
    ctx.globalAlpha = 1;
    if (this.polygon?.length) {
      const s = cw / this.w;
      ctx.strokeStyle = state.classes[state.active].color; ctx.lineWidth = 2; ctx.beginPath();
      this.polygon.forEach(([x, y], k) => k ? ctx.lineTo(x * s, y * s) : ctx.moveTo(x * s, y * s));
      ctx.stroke();
    }
  }
  toImage(event) {
    const r = this.canvas.getBoundingClientRect();
    return [(event.clientX - r.left) * this.w / r.width, (event.clientY - r.top) * this.h / r.height];
  }
  stamp(x, y, radius, id) {
    const r2 = radius * radius;
    for (let yy = Math.max(0, Math.floor(y - radius)); yy < Math.min(this.h, Math.ceil(y + radius)); yy++) {
      for (let xx = Math.max(0, Math.floor(x - radius)); xx < Math.min(this.w, Math.ceil(x + radius)); xx++) {
        if ((xx - x) ** 2 + (yy - y) ** 2 <= r2) this.ids[yy * this.w + xx] = id;
      }
    }
  }
  line([x0, y0], [x1, y1], radius, id) {
    const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / Math.max(1, radius / 3)));
    for (let k = 0; k <= steps; k++) this.stamp(x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps, radius, id);
    this.refresh(Math.min(x0, x1) - radius - 1, Math.min(y0, y1) - radius - 1, Math.max(x0, x1) + radius + 2, Math.max(y0, y1) + radius + 2);
  }
  fillPolygon(points, id) {
    const ys = points.map(p => p[1]), y0 = Math.max(0, Math.floor(Math.min(...ys))), y1 = Math.min(this.h - 1, Math.ceil(Math.max(...ys)));
    for (let y = y0; y <= y1; y++) {
      const cy = y + 0.5, xs = [];
      for (let k = 0; k < points.length; k++) {
        const [ax, ay] = points[k], [bx, by] = points[(k + 1) % points.length];
        if ((ay <= cy) !== (by <= cy)) xs.push(ax + (cy - ay) * (bx - ax) / (by - ay));
      }
      xs.sort((a, b) => a - b);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        for (let x = Math.max(0, Math.ceil(xs[k] - 0.5)); x <= Math.min(this.w - 1, Math.floor(xs[k + 1] - 0.5)); x++) this.ids[y * this.w + x] = id;
      }
    }
    this.refresh();
  }
}

// ---------- examples (editable) ----------

function attachEditor(example) {
  const view = example.view, canvas = view.canvas;
  let last = null;
  const id = () => state.tool === 'eraser' ? 0 : state.active + 1;
  const radius = () => state.brush / 2 * view.w / canvas.getBoundingClientRect().width;
  const snapshot = () => { example.undo.push(view.ids.slice()); if (example.undo.length > 20) example.undo.shift(); };
  canvas.addEventListener('pointerdown', e => {
    state.focused = example;
    const p = view.toImage(e);
    if (state.tool === 'polygon') {
      view.polygon ??= [];
      const first = view.polygon[0];
      if (first && view.polygon.length > 2 && Math.hypot(p[0] - first[0], p[1] - first[1]) < radius() * 2) return closePolygon(example);
      view.polygon.push(p); view.draw();
      return;
    }
    canvas.setPointerCapture(e.pointerId);
    snapshot(); last = p; view.line(p, p, radius(), id()); changed();
  });
  canvas.addEventListener('pointermove', e => {
    if (!last) return;
    const p = view.toImage(e);
    view.line(last, p, radius(), id()); last = p;
  });
  const end = () => { if (last) { last = null; changed(); } };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  canvas.addEventListener('dblclick', () => { if (state.tool === 'polygon') closePolygon(example); });
  function closePolygon(ex) {
    const points = ex.view.polygon; ex.view.polygon = null;
    if (points && points.length > 2) { snapshot(); ex.view.fillPolygon(points, id()); changed(); } else ex.view.draw();
  }
}

function changed() {
  state.promptDirty = true;
  state.loadedPrompt = null;
  updatePromptInfo();
}

async function addExample(file, bitmap, ids) {
  bitmap ??= await loadImage(file);
  const example = { name: file.name ?? 'example', file, view: new MaskView(bitmap, ids ?? new Uint8Array(bitmap.width * bitmap.height), true), undo: [] };
  attachEditor(example);
  const remove = el('button', { textContent: '×', title: 'Remove this example' });
  remove.addEventListener('click', () => { state.examples.splice(state.examples.indexOf(example), 1); example.card.remove(); changed(); });
  example.card = el('div', { className: 'card example' }, el('header', {}, el('span', { textContent: example.name }), remove), example.view.canvas);
  state.examples.push(example);
  state.focused = example;
  $('#examples').append(example.card);
  changed();
  return example;
}

function undo() {
  const ex = state.focused;
  if (!ex?.undo.length) return;
  ex.view.ids.set(ex.undo.pop());
  ex.view.refresh(); changed();
}

// ---------- classes ----------

function renderClasses() {
  const list = $('#class-list');
  list.replaceChildren();
  state.classes.forEach((c, i) => {
    const radio = el('input', { type: 'radio', name: 'active-class', checked: i === state.active, title: 'Paint this class' });
    radio.addEventListener('change', () => { state.active = i; renderClasses(); });
    const name = el('input', { type: 'text', value: c.name, title: 'Class name' });
    name.addEventListener('change', () => { c.name = name.value.trim() || `class ${i + 1}`; changed(); renderToggles(); });
    const colour = el('input', { type: 'color', value: c.color, title: 'Colour' });
    colour.addEventListener('input', () => { c.color = colour.value; redrawAll(); renderToggles(); });
    list.append(el('li', { className: i === state.active ? 'active' : '' }, radio, colour, name));
  });
  renderToggles();
}

function renderToggles() {
  const box = $('#class-toggles');
  box.replaceChildren();
  state.classes.forEach(c => {
    const check = el('input', { type: 'checkbox', checked: c.visible });
    check.addEventListener('change', () => { c.visible = check.checked; redrawAll(); });
    const swatch = el('span', { className: 'swatch' });
    swatch.style.background = c.color;
    box.append(el('label', {}, check, swatch, c.name));
  });
}

function redrawAll() {
  for (const x of [...state.examples, ...state.targets]) x.view?.refresh();
}

// ---------- prompts ----------

function updatePromptInfo() {
  $('#save-prompt').disabled = !state.promptId || state.promptDirty;
  $('#prompt-info').textContent = state.loadedPrompt ? `loaded prompt: ${state.loadedPrompt}` : state.promptId && !state.promptDirty ? 'prompt encoded' : '';
}

async function ensurePrompt() {
  if (state.promptId && !state.promptDirty) return state.promptId;
  if (!state.examples.length) throw new Error('add an example image and paint its mask first');
  const form = new FormData();
  for (const c of state.classes) form.append('class', c.name);
  for (const ex of state.examples) {
    form.append('example', ex.file, ex.name);
    form.append('mask', await pngFromIds(ex.view.ids, ex.view.w, ex.view.h), `${baseName(ex.name)}_mask.png`);
  }
  status('encoding the examples…');
  const created = await (await api('api/prompts', { method: 'POST', body: form })).json();
  state.promptId = created.id; state.promptDirty = false;
  updatePromptInfo();
  return created.id;
}

async function savePrompt() {
  const blob = await (await api(`api/prompts/${state.promptId}`)).blob();
  download(blob, 'exemplar.prompt');
}

async function loadPrompt(file) {
  const form = new FormData();
  form.append('prompt', file, file.name);
  const created = await (await api('api/prompts', { method: 'POST', body: form })).json();
  state.classes = created.classes.map((name, i) => ({ name, color: PALETTE[i % PALETTE.length], visible: true }));
  state.active = 0;
  state.promptId = created.id; state.promptDirty = false;
  state.loadedPrompt = `${file.name} (${created.examples} example(s); editing the examples replaces it)`;
  renderClasses(); updatePromptInfo();
  status('prompt loaded');
}

// ---------- targets ----------

async function addTarget(file) {
  const bitmap = await loadImage(file);
  const target = { name: file.name ?? 'target', file, bitmap, view: null, result: null };
  target.body = el('div', {}, el('p', { className: 'objects', textContent: 'not segmented yet' }));
  const addBack = el('button', { textContent: 'Add as example', title: 'Copy the image and its mask to the examples, to correct it there', disabled: true });
  addBack.addEventListener('click', () => addExample(target.file, target.bitmap, target.view.ids.slice()));
  const mask = el('button', { textContent: 'Mask PNG', disabled: true });
  mask.addEventListener('click', async () => download(await maskBlob(target), `${baseName(target.name)}_mask.png`));
  target.buttons = [addBack, mask];
  target.card = el('div', { className: 'card target' }, el('header', {}, el('span', { textContent: target.name }), addBack, mask), target.body);
  state.targets.push(target);
  $('#targets').append(target.card);
  return target;
}

const maskBlob = t => pngFromIds(t.view.ids, t.view.w, t.view.h, state.classes.length === 1 ? 255 : 1);

async function segment(target, promptId) {
  const form = new FormData();
  form.append('prompt', promptId);
  form.append('target', target.file, target.name);
  form.append('threshold', $('#threshold').value);
  const response = await api('api/segment?include=mask', { method: 'POST', body: form, headers: { Accept: 'application/json' } });
  const json = await response.json();
  // Decoded here, not fetched as a data: URL, which the page's content security policy does not allow.
  const png = new Blob([Uint8Array.from(atob(json.mask), c => c.charCodeAt(0))], { type: 'image/png' });
  const ids = await idsFromPng(png, json.width, json.height);
  target.result = json;
  target.view = new MaskView(target.bitmap, ids, false);
  const summary = json.objects.length
    ? json.objects.slice(0, 5).map(o => `${o.class} ${(o.score * 100).toFixed(0)}% [${o.box.x}, ${o.box.y}, ${o.box.width}×${o.box.height}]`).join('; ')
    : 'nothing found';
  target.body.replaceChildren(target.view.canvas, el('p', { className: 'objects', textContent: summary }));
  target.card.dataset.done = 'true';
  target.buttons.forEach(b => { b.disabled = false; });
}

async function run() {
  const button = $('#run');
  button.disabled = true;
  try {
    if (!state.targets.length) throw new Error('add target images first');
    const id = await ensurePrompt();
    let done = 0;
    for (const t of state.targets) {
      status(`segmenting ${t.name} (${++done}/${state.targets.length})…`);
      await segment(t, id);
    }
    status(`done: ${state.targets.length} image(s)`);
    $('#download-zip').disabled = $('#download-coco').disabled = false;
  } catch (e) {
    status(e.message, true);
  } finally {
    button.disabled = false;
  }
}

// ---------- downloads ----------

function download(blob, name) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

async function downloadZip() {
  const files = [];
  for (const t of state.targets.filter(t => t.view)) files.push({ name: `${baseName(t.name)}_mask.png`, bytes: new Uint8Array(await (await maskBlob(t)).arrayBuffer()) });
  download(window.makeZip(files), 'masks.zip');
}

function coco() {
  const done = state.targets.filter(t => t.result);
  let next = 1;
  return {
    images: done.map((t, i) => ({ id: i + 1, file_name: t.name, width: t.result.width, height: t.result.height })),
    categories: state.classes.map((c, i) => ({ id: i + 1, name: c.name })),
    annotations: done.flatMap((t, i) => t.result.coco.map(a => ({ ...a, id: next++, image_id: i + 1 }))),
  };
}

// ---------- wiring ----------

function dropZone(zone, input, onFiles) {
  const take = files => [...files].filter(f => f.type.startsWith('image/') || !f.type).forEach(onFiles);
  input.addEventListener('change', () => { take(input.files); input.value = ''; });
  zone.addEventListener('dragover', e => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', e => { e.preventDefault(); zone.classList.remove('over'); take(e.dataTransfer.files); });
}

const guard = f => async (...args) => { try { await f(...args); } catch (e) { status(e.message, true); } };

function init() {
  dropZone($('#example-drop'), $('#example-input'), guard(f => addExample(f)));
  dropZone($('#target-drop'), $('#target-input'), guard(addTarget));
  document.querySelectorAll('[data-tool]').forEach(b => b.addEventListener('click', () => {
    state.tool = b.dataset.tool;
    document.querySelectorAll('[data-tool]').forEach(x => x.classList.toggle('active', x === b));
  }));
  $('#undo').addEventListener('click', undo);
  $('#brush-size').addEventListener('input', e => { state.brush = +e.target.value; });
  $('#opacity').addEventListener('input', e => { state.opacity = e.target.value / 100; for (const x of [...state.examples, ...state.targets]) x.view?.draw(); });
  $('#add-class').addEventListener('click', () => {
    const i = state.classes.length;
    state.classes.push({ name: `class ${i + 1}`, color: PALETTE[i % PALETTE.length], visible: true });
    state.active = i; renderClasses(); changed();
  });
  $('#run').addEventListener('click', run);
  $('#save-prompt').addEventListener('click', guard(savePrompt));
  $('#prompt-input').addEventListener('change', guard(async e => { if (e.target.files[0]) await loadPrompt(e.target.files[0]); e.target.value = ''; }));
  $('#download-zip').addEventListener('click', guard(downloadZip));
  $('#download-coco').addEventListener('click', () => download(new Blob([JSON.stringify(coco(), null, 1)], { type: 'application/json' }), 'coco.json'));
  $('#api-key').value = sessionStorage.getItem('exemplar-key') ?? '';
  $('#api-key').addEventListener('change', e => sessionStorage.setItem('exemplar-key', e.target.value));
  document.addEventListener('keydown', e => {
    if (e.target.matches('input[type=text], input[type=password], input[type=number]')) return;
    if ((e.ctrlKey || e.metaKey) && e.key === 'z') { e.preventDefault(); undo(); }
    else if (e.key === 'Escape' && state.focused?.view.polygon) { state.focused.view.polygon = null; state.focused.view.draw(); }
    else if ({ b: 'brush', e: 'eraser', p: 'polygon' }[e.key]) document.querySelector(`[data-tool=${{ b: 'brush', e: 'eraser', p: 'polygon' }[e.key]}]`).click();
  });
  renderClasses();
  updatePromptInfo();
  // For tests and scripts: the state, and a result's mask as a 0/255 PNG data URL.
  window.exemplar = {
    state,
    maskDataUrl: async i => {
      const t = state.targets[i], blob = await pngFromIds(t.view.ids.map(v => v ? 1 : 0), t.view.w, t.view.h, 255);
      return new Promise(resolve => { const r = new FileReader(); r.onload = () => resolve(r.result); r.readAsDataURL(blob); });
    },
  };
}

init();
