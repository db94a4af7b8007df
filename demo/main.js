// The edgecnn demo: draw a digit, see the bundled classifier's answer as you draw, and look inside the
// network (per-layer table and profile, the first layer's kernels, feature maps of any layer). Uses the
// package exactly as an app would: `import … from 'edgecnn'`, bundled by Vite with no edgecnn-specific
// configuration. Everything runs in the page; `window.demo` exposes the state for the tests.
import { Session, Tensor, softmax, topK } from 'edgecnn';
import { fullyConvolutional } from './fc-to-conv.js';

const $ = (id) => document.getElementById(id);
/**
 * The digit models the pad can feed: `cells`: the ink's bounding square is area-averaged to cells×cells,
 * then (8x8) bilinearly upscaled to 20x20 like the bundled model's training data, and padded to 28x28.
 */
const DIGIT_MODELS = {
  digits28: { url: 'models/digits28.onnx', name: 'digits28.onnx (trained on drawn-like digits, scripts/train-digits28.py)', cells: 20, mean: 0, std: 1 },
  lenet: { url: 'models/lenet-digits.onnx', name: 'lenet-digits.onnx (bundled, trained on 8x8 digits)', cells: 8, mean: 0.1558, std: 0.2774 }, // models/README.md
};
const digitModel = () => DIGIT_MODELS[state.digitModel];
const MAX_TILES = 64;

const state = {
  session: null,
  mode: 'digits',          // 'digits': the bundled model fed from the pad; 'custom': an opened model fed an image
  digitModel: 'lenet',     // a key of DIGIT_MODELS
  modelName: '',
  modelBytes: null,        // the custom model's bytes (to recreate it on a backend change)
  labels: null,
  summary: null,
  profile: null,
  prediction: null,        // [{ index, score, label? }] of the latest run
  fmap: null,              // { name, dims } of the latest feature maps drawn
  lastInput: null,         // the latest input tensor (profile, feature maps on layer change)
  runs: 0,
  wide: null,              // the fully-convolutional twin: { session, stride, window, steps } (FC → CONV)
  found: null,             // digits found on the wide pad: [{ digit, x, score }]
  busy: false,
  dirty: false,
  changes: 0,              // drawing changes so far (each schedules a prediction)
  predicted: 0,            // the `changes` count the shown prediction was computed from
  error: null,
};

// ---- status and errors --------------------------------------------------------------------------------

function setStatus(text, error = false) {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', error);
}

function fail(where, e) {
  console.error(where, e);
  state.error = `${where}: ${e?.name ?? 'Error'}: ${e?.message ?? e}`;
  setStatus(state.error, true);
}

// ---- backend and threads ------------------------------------------------------------------------------

const isolated = globalThis.crossOriginIsolated === true;

function fillBackendControls() {
  const b = $('backend-select');
  const backends = [['auto', 'auto'], ['wasm', 'wasm']];
  if ('gpu' in navigator) backends.push(['webgpu', 'webgpu']);
  backends.push(['reference', 'reference (plain JS, exact)']);
  b.innerHTML = backends.map(([v, t]) => `<option value="${v}">${t}</option>`).join('');
  const t = $('threads-select');
  const cores = Math.min(8, navigator.hardwareConcurrency || 1);
  const choices = ['auto', 1, 2, 4, 8].filter((n) => n === 'auto' || n <= Math.max(cores, 2));
  t.innerHTML = choices.map((n) => `<option value="${n}" ${!isolated && n !== 'auto' && n > 1 ? 'disabled' : ''}>${n === 'auto' ? `auto (${isolated ? cores : 1})` : n}</option>`).join('');
  if (!isolated) t.title = 'this page is not cross-origin isolated: one thread only';
}

function sessionOptions() {
  const threads = $('threads-select').value;
  return { backend: $('backend-select').value, threads: threads === 'auto' ? 'auto' : Number(threads), keepWeights: true };
}

// ---- sessions -----------------------------------------------------------------------------------------

async function openSession() {
  const old = state.session;
  state.session = null;
  setStatus('loading the model…');
  const t0 = performance.now();
  try {
    if (state.mode === 'digits') state.modelName = digitModel().name;
    const source = state.mode === 'digits' ? digitModel().url : state.modelBytes;
    const session = await Session.create(source, sessionOptions());
    if (old) await old.dispose().catch(() => {});
    state.session = session;
    $('backend').textContent = session.backend;
    $('model-name').textContent = `${state.modelName}: input ${session.inputs.map((i) => `${i.name} [${i.dims.join(', ')}]`).join(', ')}, output ${session.outputs.map((o) => `${o.name} [${o.dims.join(', ')}]`).join(', ')}`;
    setStatus(`ready (${Math.round(performance.now() - t0)} ms to load${isolated ? ', cross-origin isolated' : ', not isolated: 1 thread'})`);
    state.error = null;
    const drawn = state.mode === 'digits' ? await digitInput() : null;
    const input = state.mode === 'digits' ? drawn ?? blankDigit() : await customInput();
    if (input) await afterRun(await runModel(input), input, { profile: true, show: state.mode !== 'digits' || drawn !== null });
    else {
      state.summary = null;
      $('layers').tBodies[0].innerHTML = '<tr><td colspan="10">open an image to run the model: the table comes with the first run</td></tr>';
      $('layers').tFoot.innerHTML = '';
      $('memory').textContent = '';
      $('kernel-info').textContent = '';
      drawTiles($('kernels'), []);
      drawTiles($('fmaps'), []);
      $('fmap-select').innerHTML = '';
    }
    if (state.mode === 'digits') await makeWide();
  } catch (e) {
    fail('loading the model', e);
  }
}

/** Input dims of the current model for one image: symbols → 1 (batch) or 224 (spatial). */
function inputDims(session) {
  const dims = session.inputs[0].dims.map((d, i) => (typeof d === 'number' ? d : i === 0 ? 1 : 224));
  while (dims.length < 4) dims.unshift(1);
  return dims;
}

async function runModel(input) {
  const session = state.session;
  const fetchName = $('fmap-select').value || firstFmapName();
  const feeds = { [session.inputs[0].name]: input };
  const t0 = performance.now();
  let out;
  try {
    out = await session.run(feeds, fetchName ? { fetch: [fetchName] } : undefined);
  } catch (e) {
    // a value the new model does not have: run without it
    if (fetchName) out = await session.run(feeds); else throw e;
  }
  state.runs++;
  return { out, ms: performance.now() - t0, fetchName };
}

function firstFmapName() {
  return state.summary?.layers[0]?.outputs[0] ?? null;
}

async function afterRun({ out, ms, fetchName }, input, { profile = false, show = true } = {}) {
  const session = state.session;
  state.lastInput = input;
  const first = state.summary === null;
  if (first) {
    state.summary = session.summary();
    fillFmapSelect();
    drawKernels();
  }
  const y = out[session.outputs[0].name];
  const rows = y.dims.length === 2 ? y.dims[1] : y.data.length;
  const row = y.data.subarray(0, rows);
  const isProb = row.every((v) => v >= 0 && v <= 1) && Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-3;
  const probs = isProb ? row : softmax(row);
  const labels = state.mode === 'digits' ? null : state.labels && state.labels.length === rows ? state.labels : null;
  if (show) {
    state.prediction = topK(probs, state.mode === 'digits' ? 3 : 5, labels ?? undefined);
    showTop(state.mode === 'digits' ? $('top') : $('top5'), state.prediction);
  }
  $('latency').textContent = `${ms.toFixed(1)} ms per run`;
  const name = fetchName && out[fetchName] ? fetchName : null;
  if (name) drawFmaps(name, out[name]);
  else if (first) { const f = firstFmapName(); if (f) await refreshFmaps(); }
  if (first) renderLayers();
  if (profile) await runProfile();
}

async function runProfile() {
  if (!state.session || !state.lastInput) return;
  try {
    state.profile = await state.session.profile({ [state.session.inputs[0].name]: state.lastInput }, { runs: 5 });
    renderLayers();
  } catch (e) {
    fail('profile', e);
  }
}

// ---- the drawing pads ---------------------------------------------------------------------------------

/**
 * A canvas to draw on with a mouse, a pen or a finger (pointer events; touch-action: none in the CSS),
 * white ink on black. `pen` is the line width as a fraction of the canvas height; `aspect` = width / height.
 */
function makePad(canvas, { pen, aspect = 1, onStart, onChange }) {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  let drawing = null;
  const size = () => {
    const css = canvas.getBoundingClientRect().width || 280;
    const w = Math.round(css * Math.min(2, window.devicePixelRatio || 1)), h = Math.round(w / aspect);
    if (canvas.width === w && canvas.height === h) return;
    const old = document.createElement('canvas');
    const had = canvas.width > 0 && canvas.height > 0;
    if (had) { old.width = canvas.width; old.height = canvas.height; old.getContext('2d').drawImage(canvas, 0, 0); }
    canvas.width = w; canvas.height = h;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, w, h);
    if (had) ctx.drawImage(old, 0, 0, w, h);
  };
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * (canvas.width / r.width), (e.clientY - r.top) * (canvas.height / r.height)];
  };
  const line = (from, to) => {
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = canvas.height * pen;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from[0], from[1]);
    ctx.lineTo(to[0], to[1]);
    ctx.stroke();
  };
  canvas.addEventListener('pointerdown', (e) => {
    onStart?.();
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    drawing = { id: e.pointerId, at: at(e) };
    line(drawing.at, drawing.at);
    onChange();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing || drawing.id !== e.pointerId) return;
    e.preventDefault();
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
    for (const ev of events.length ? events : [e]) {
      const to = at(ev);
      line(drawing.at, to);
      drawing.at = to;
    }
    onChange();
  });
  const end = (e) => { if (drawing && drawing.id === e.pointerId) { drawing = null; onChange(); } };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  const clear = () => { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, canvas.width, canvas.height); };
  return { canvas, ctx, size, clear };
}

const padObj = makePad($('pad'), { pen: 0.085, onStart: () => { if (state.mode !== 'digits') switchToDigits(); }, onChange: () => schedulePredict() });
const pad = padObj.canvas, padCtx = padObj.ctx;
const sizePad = () => { padObj.size(); wide.size(); };

function clearPad() {
  padCtx.fillStyle = '#000';
  padCtx.fillRect(0, 0, pad.width, pad.height);
  $('seen').getContext('2d').clearRect(0, 0, 28, 28);
  state.prediction = null;
  $('top').innerHTML = '<li class="muted">draw a digit 0–9 in the black square</li>';
}

/**
 * The mean of each cell of an outW×outH grid laid over the source rectangle (sx, sy, sw, sh) of RGBA
 * pixels (red channel), 0..255; what falls outside the canvas counts as background.
 */
function areaAverage(px, w, h, sx, sy, sw, sh, outW, outH) {
  const sum = new Float64Array(outW * outH);
  const cw = sw / outW, ch = sh / outH;
  for (let y = Math.max(0, Math.floor(sy)); y < Math.min(h, Math.ceil(sy + sh)); y++) {
    const gy = Math.floor((y + 0.5 - sy) / ch);
    if (gy < 0 || gy >= outH) continue;
    for (let x = Math.max(0, Math.floor(sx)); x < Math.min(w, Math.ceil(sx + sw)); x++) {
      const gx = Math.floor((x + 0.5 - sx) / cw);
      if (gx < 0 || gx >= outW) continue;
      sum[gy * outW + gx] += px[(y * w + x) * 4];
    }
  }
  const gray = new Uint8Array(outW * outH);
  for (let i = 0; i < gray.length; i++) gray[i] = Math.min(255, Math.round(sum[i] / (cw * ch)));
  return gray;
}

/**
 * The pad as the digit model wants it: the ink's bounding square, area-averaged to the model's grid.
 * digits28 (scripts/train-digits28.py): 20x20, centred in 28x28, ink 1 on 0, as in its training data.
 * The bundled model (models/README.md) was trained on scikit-learn's 8x8 digits upscaled, so the drawing
 * goes the same way: 8x8 (the UCI data's 4x4 block counts) → bilinear 20x20 (Tensor.fromImage: half-pixel,
 * no antialiasing, the training resize) → normalized → padded to 28x28. Null when nothing is drawn.
 */
async function digitInput() {
  const { width: w, height: h } = pad;
  const px = padCtx.getImageData(0, 0, w, h).data;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (px[(y * w + x) * 4] > 40) { if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y; }
  }
  if (x1 < 0) return null;
  const m = digitModel();
  const side = Math.max(x1 - x0 + 1, y1 - y0 + 1, w * 0.12);
  const cx = (x0 + x1 + 1) / 2, cy = (y0 + y1 + 1) / 2;
  const gray = areaAverage(px, w, h, cx - side / 2, cy - side / 2, side, side, m.cells, m.cells);
  const t20 = await Tensor.fromImage({ data: gray, width: m.cells, height: m.cells }, { size: 20, channels: 1, mean: m.mean, std: m.std });
  const x = new Float32Array(784).fill((0 - m.mean) / m.std);
  for (let y = 0; y < 20; y++) x.set(t20.data.subarray(y * 20, y * 20 + 20), (y + 4) * 28 + 4);
  drawSeen(x);
  return new Tensor('float32', x, [1, 1, 28, 28]);
}

function blankDigit() {
  const m = digitModel();
  return new Tensor('float32', new Float32Array(784).fill((0 - m.mean) / m.std), [1, 1, 28, 28]);
}

function drawSeen(x) {
  const ctx = $('seen').getContext('2d');
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.max(0, Math.min(255, Math.round((x[i] * digitModel().std + digitModel().mean) * 255)));
    img.data[i * 4] = img.data[i * 4 + 1] = img.data[i * 4 + 2] = v;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

// Throttled prediction: at most one run in flight and one every 50 ms; the latest drawing always wins.
let lastStart = 0, timer = 0;
function schedulePredict() {
  state.changes++;
  state.dirty = true;
  if (state.busy || timer) return;
  const wait = Math.max(0, 50 - (performance.now() - lastStart));
  timer = setTimeout(() => { timer = 0; predictNow(); }, wait);
}

async function predictNow() {
  if (!state.session || state.mode !== 'digits') return;
  if (state.busy) { state.dirty = true; return; }
  state.busy = true;
  state.dirty = false;
  lastStart = performance.now();
  const seen = state.changes;
  try {
    const input = await digitInput();
    if (input) await afterRun(await runModel(input), input);
    state.predicted = seen;
  } catch (e) {
    fail('prediction', e);
  } finally {
    state.busy = false;
    if (state.dirty) schedulePredict();
  }
}

/** Draws an image (e.g. a bundled sample: white digit on black) onto the pad, as if drawn, and predicts. */
async function drawImageOnPad(source) {
  if (state.mode !== 'digits') await switchToDigits();
  clearPad();
  const w = pad.width, m = w * 0.12;
  padCtx.imageSmoothingEnabled = true;
  padCtx.drawImage(source, m, m, w - 2 * m, w - 2 * m);
  schedulePredict();
}

let samples = null;
async function drawSample(index = Math.floor(Math.random() * 10)) {
  if (!samples) {
    const res = await fetch('models/digits-sample.bin');
    if (!res.ok) throw new Error(`models/digits-sample.bin: HTTP ${res.status}`);
    samples = new Float32Array(await res.arrayBuffer());
  }
  const c = document.createElement('canvas');
  c.width = c.height = 28;
  const ctx = c.getContext('2d');
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.max(0, Math.min(255, Math.round((samples[index * 784 + i] * 0.2774 + 0.1558) * 255))); // the samples' normalization
    img.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  await drawImageOnPad(c);
  return index;
}

// ---- top-k --------------------------------------------------------------------------------------------

function showTop(list, entries) {
  list.innerHTML = '';
  for (const e of entries) {
    const li = document.createElement('li');
    const d = document.createElement('span');
    d.className = 'd';
    d.textContent = e.label ?? String(e.index);
    const bar = document.createElement('span');
    bar.className = 'bar';
    const fill = document.createElement('i');
    fill.style.width = `${(e.score * 100).toFixed(1)}%`;
    bar.append(fill);
    const p = document.createElement('span');
    p.className = 'p';
    p.textContent = `${(e.score * 100).toFixed(e.score > 0.995 ? 0 : 1)}%`;
    li.append(d, bar, p);
    list.append(li);
  }
}

// ---- pictures: kernels and feature maps ---------------------------------------------------------------

/** Draws `tiles` (each { w, h, rgba }) into `canvas` as a grid with 1-pixel gaps. */
function drawTiles(canvas, tiles, cols) {
  if (!tiles.length) { canvas.width = canvas.height = 1; return; }
  const tw = tiles[0].w, th = tiles[0].h;
  cols = cols ?? Math.ceil(Math.sqrt(tiles.length * th / tw));
  const rows = Math.ceil(tiles.length / cols);
  canvas.width = cols * (tw + 1) - 1;
  canvas.height = rows * (th + 1) - 1;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#334155';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  tiles.forEach((t, i) => ctx.putImageData(new ImageData(t.rgba, t.w, t.h), (i % cols) * (tw + 1), Math.floor(i / cols) * (th + 1)));
  // enough CSS pixels per value to see, at most the card's width
  canvas.style.width = `min(100%, ${Math.max(canvas.width * Math.max(1, Math.floor(320 / Math.max(canvas.width, canvas.height))), 120)}px)`;
}

function drawKernels() {
  const info = $('kernel-info');
  const first = state.summary.layers.find((l) => l.op.startsWith('Conv'));
  if (!first) { info.textContent = '(no convolution)'; drawTiles($('kernels'), []); return; }
  let w;
  try { w = state.session.weights(first.name).weight; } catch (e) { info.textContent = String(e.message); return; }
  const [O, I, KH, KW] = w.dims;
  let max = 0;
  for (const v of w.data) max = Math.max(max, Math.abs(v));
  const scale = max > 0 ? 127 / max : 0;
  const tiles = [];
  const rgb = I === 3;
  const shown = rgb ? 1 : Math.min(I, 8);
  for (let o = 0; o < O && tiles.length < MAX_TILES * 2; o++) {
    for (let i = 0; i < shown; i++) {
      const rgba = new Uint8ClampedArray(KH * KW * 4);
      for (let k = 0; k < KH * KW; k++) {
        for (let c = 0; c < 3; c++) {
          const ch = rgb ? c : i;
          rgba[k * 4 + c] = 128 + w.data[((o * I + ch) * KH * KW) + k] * scale;
        }
        rgba[k * 4 + 3] = 255;
      }
      tiles.push({ w: KW, h: KH, rgba });
    }
  }
  info.textContent = `${first.name} (${first.op}): ${O} filters of ${I}×${KH}×${KW}${rgb ? ', shown as RGB' : I > shown ? `, first ${shown} input channels` : ''}; gray = 0`;
  drawTiles($('kernels'), tiles, rgb || shown === 1 ? undefined : shown);
}

function fillFmapSelect() {
  const sel = $('fmap-select');
  const prev = sel.value;
  sel.innerHTML = '';
  state.summary.layers.forEach((l, i) => {
    for (const v of l.outputs) {
      const opt = document.createElement('option');
      opt.value = v;
      opt.textContent = `${i + 1}. ${l.name} — ${l.op} [${l.outputDims.join('×')}]${l.outputs.length > 1 ? ` ${v}` : ''}`;
      sel.append(opt);
    }
  });
  if ([...sel.options].some((o) => o.value === prev)) sel.value = prev;
}

function drawFmaps(name, t) {
  const dims = t.dims;
  let C, H, W;
  if (dims.length === 4) [, C, H, W] = dims;
  else { C = 1; W = Math.ceil(Math.sqrt(t.data.length / (dims[0] || 1))); H = Math.ceil((t.data.length / (dims[0] || 1)) / W); }
  const n = Math.min(C, MAX_TILES), plane = H * W;
  const tiles = [];
  for (let c = 0; c < n; c++) {
    let lo = Infinity, hi = -Infinity;
    const base = c * plane;
    const len = dims.length === 4 ? plane : Math.min(plane, t.data.length);
    for (let i = 0; i < len; i++) { const v = t.data[base + i]; if (v < lo) lo = v; if (v > hi) hi = v; }
    const s = hi > lo ? 255 / (hi - lo) : 0;
    const rgba = new Uint8ClampedArray(plane * 4);
    for (let i = 0; i < plane; i++) {
      const v = i < len ? (t.data[base + i] - lo) * s : 0;
      rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = v;
      rgba[i * 4 + 3] = 255;
    }
    tiles.push({ w: W, h: H, rgba });
  }
  drawTiles($('fmaps'), tiles);
  state.fmap = { name, dims };
  $('fmap-info').textContent = `${name}: [${dims.join('×')}]${C > n ? `, first ${n} channels` : ''}; each map scaled to its own range`;
  const layerIndex = state.summary?.layers.findIndex((l) => l.outputs.includes(name)) ?? -1;
  document.querySelectorAll('#layers tbody tr').forEach((tr, i) => tr.classList.toggle('sel', i === layerIndex));
}

async function refreshFmaps() {
  if (!state.session || !state.lastInput || state.busy) return;
  state.busy = true;
  try {
    const name = $('fmap-select').value;
    const out = await state.session.run({ [state.session.inputs[0].name]: state.lastInput }, { fetch: [name] });
    drawFmaps(name, out[name]);
  } catch (e) {
    fail('feature maps', e);
  } finally {
    state.busy = false;
  }
}

// ---- the layer table ----------------------------------------------------------------------------------

const fmtInt = (n) => n.toLocaleString('en-US');
function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}
function fmtCount(n) {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  return fmtInt(n);
}

function renderLayers() {
  const s = state.summary;
  if (!s) return;
  const prof = new Map((state.profile?.layers ?? []).map((l) => [l.name, l]));
  const body = $('layers').tBodies[0];
  body.innerHTML = '';
  s.layers.forEach((l, i) => {
    const p = prof.get(l.name);
    const tr = body.insertRow();
    tr.title = l.kernels.length ? `kernels: ${l.kernels.join(', ')}` : '';
    const cells = [i + 1, l.name, l.op, `[${l.outputDims.join('×')}]`, fmtCount(l.params), fmtCount(l.macs), fmtBytes(l.activationBytes), fmtBytes(l.liveBytes),
      p ? p.ms.toFixed(3) : '…', p && p.gflops > 0 ? p.gflops.toFixed(2) : p ? '' : '…'];
    for (const c of cells) tr.insertCell().textContent = String(c);
    tr.addEventListener('click', () => {
      const sel = $('fmap-select');
      if (l.outputs[0]) { sel.value = l.outputs[0]; refreshFmaps(); }
    });
  });
  const foot = $('layers').tFoot;
  foot.innerHTML = '';
  const tr = foot.insertRow();
  const totalMs = state.profile ? state.profile.totalMs : null;
  const flops = state.profile ? state.profile.layers.reduce((a, l) => a + l.flops, 0) : 0;
  for (const c of ['', `${s.layers.length} layers`, '', '', fmtCount(s.totalParams), fmtCount(s.totalMacs), '', '',
    totalMs !== null ? totalMs.toFixed(3) : '…', totalMs ? (flops / totalMs / 1e6).toFixed(2) : '']) tr.insertCell().textContent = c;
  $('memory').innerHTML = [
    ['activation arena (peak)', fmtBytes(s.arenaBytes)],
    ['without sharing', fmtBytes(s.unsharedArenaBytes)],
    ['weights', fmtBytes(s.constBytes)],
    ['wasm memory', fmtBytes(s.memoryBytes)],
  ].map(([k, v]) => `<div>${k}: <b>${v}</b></div>`).join('');
  $('profile-text').textContent = state.profile ? state.profile.text : '';
}

// ---- your own model and image -------------------------------------------------------------------------

let photoReady = false;

async function customInput() {
  if (!photoReady) return null;
  const dims = inputDims(state.session);
  const [, C, H, W] = dims;
  const nums = (s) => s.split(/[\s,]+/).filter(Boolean).map(Number);
  let mean = nums($('mean').value), std = nums($('std').value);
  const fit = (a, d) => (a.length === C ? a : a.length >= 1 && C === 1 ? [a[0]] : new Array(C).fill(a[0] ?? d));
  mean = fit(mean, 0); std = fit(std, 1);
  return Tensor.fromImage($('photo'), { size: [H, W], channels: C, mean: C === 1 ? mean[0] : mean, std: C === 1 ? std[0] : std });
}

async function classifyPhoto() {
  if (state.mode !== 'custom' || !state.session) return;
  try {
    const input = await customInput();
    if (input) await afterRun(await runModel(input), input, { profile: state.profile === null });
  } catch (e) {
    fail('classification', e);
  }
}

async function switchToDigits() {
  if (state.mode === 'digits') return;
  state.mode = 'digits';
  state.summary = null; state.profile = null;
  $('top5').innerHTML = '';
  await openSession();
  schedulePredict();
}

$('model-file').addEventListener('change', async (e) => {
  const f = e.target.files?.[0];
  if (!f) return;
  state.mode = 'custom';
  state.modelName = f.name;
  state.modelBytes = new Uint8Array(await f.arrayBuffer());
  state.summary = null; state.profile = null;
  $('top').innerHTML = '<li class="muted">(your model: see “Open your own…”)</li>';
  await openSession();
  if (state.session && !photoReady) setStatus(`${f.name} loaded: now open an image or use the camera`);
});

$('labels-file').addEventListener('change', async (e) => {
  const f = e.target.files?.[0];
  if (!f) return;
  const text = await f.text();
  try {
    const j = JSON.parse(text);
    state.labels = Array.isArray(j) ? j.map(String) : Object.keys(j).sort((a, b) => Number(a) - Number(b)).map((k) => String(j[k]));
  } catch {
    state.labels = text.split(/\r?\n/).map((l) => l.trim()).filter((l, i, a) => l || i < a.length - 1);
  }
  classifyPhoto();
});

$('image-file').addEventListener('change', async (e) => {
  const f = e.target.files?.[0];
  if (!f) return;
  const bmp = await createImageBitmap(f);
  showPhoto(bmp, bmp.width, bmp.height);
  bmp.close();
  classifyPhoto();
});

function showPhoto(src, w, h) {
  const c = $('photo');
  c.width = w; c.height = h;
  c.getContext('2d').drawImage(src, 0, 0, w, h);
  c.hidden = false;
  photoReady = true;
}

let stream = null;
$('camera').addEventListener('click', async () => {
  const v = $('video');
  if (stream) { stream.getTracks().forEach((t) => t.stop()); stream = null; v.hidden = true; $('snap').disabled = true; $('camera').textContent = 'Camera'; return; }
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    v.srcObject = stream;
    v.hidden = false;
    await v.play();
    $('snap').disabled = false;
    $('camera').textContent = 'Stop camera';
  } catch (e) {
    fail('camera', e);
  }
});
$('snap').addEventListener('click', () => {
  const v = $('video');
  showPhoto(v, v.videoWidth, v.videoHeight);
  if (state.mode === 'custom') classifyPhoto();
  else setStatus('frame taken: open a model to classify it (the digit model takes drawings)');
});
$('back-to-digits').addEventListener('click', () => switchToDigits());

// ---- several digits at once: the classifier made fully convolutional (FC → CONV) --------------------

const WIDE_DIGITS = 4; // the wide pad holds 4 digit-sized windows side by side: a [1, 1, 28, 112] input

const wide = makePad($('wide'), { pen: 0.1, aspect: WIDE_DIGITS, onChange: () => scheduleWide() });

/** The digit session's fully-convolutional twin for the wide pad (rebuilt with each digit session). */
async function makeWide() {
  const old = state.wide;
  state.wide = null;
  try {
    const fc = fullyConvolutional(state.session, 28 * WIDE_DIGITS);
    const opts = sessionOptions();
    const session = await Session.create(fc.graph, { backend: opts.backend, threads: 1 });
    state.wide = { ...fc, session };
    $('fc-steps').textContent = fc.steps.join('\n');
    $('wide-info').textContent = `one run of [1, 1, 28, ${28 * WIDE_DIGITS}] → [${session.outputs[0].dims.join(', ')}]: a ${fc.window}-pixel window every ${fc.stride} pixels`;
  } catch (e) {
    $('wide-info').textContent = String(e?.message ?? e);
  }
  if (old) await old.session.dispose().catch(() => {});
  scheduleWide();
}

let wideBusy = false, wideDirty = false;
function scheduleWide() {
  wideDirty = true;
  if (!wideBusy) setTimeout(runWide, 0);
}

async function runWide() {
  if (wideBusy || !state.wide) return;
  wideBusy = true;
  wideDirty = false;
  try {
    const { session, stride, window: win } = state.wide;
    const m = digitModel();
    const W = 28 * WIDE_DIGITS;
    const px = wide.ctx.getImageData(0, 0, wide.canvas.width, wide.canvas.height).data;
    const gray = areaAverage(px, wide.canvas.width, wide.canvas.height, 0, 0, wide.canvas.width, wide.canvas.height, W, 28);
    const x = Float32Array.from(gray, (g) => (g / 255 - m.mean) / m.std);
    const out = (await session.run({ [session.inputs[0].name]: new Tensor('float32', x, [1, 1, 28, W]) }))[session.outputs[0].name];
    const [, K, , cols] = out.dims;
    // per column: softmax over the classes
    const probs = [];
    for (let j = 0; j < cols; j++) {
      const col = new Float32Array(K);
      for (let k = 0; k < K; k++) col[k] = out.data[k * cols + j];
      probs.push(softmax(col));
    }
    // ink under each window's middle, so that empty windows find nothing
    const ink = (j) => { let s = 0; for (let y = 4; y < 24; y++) for (let c = j * stride + 6; c < j * stride + win - 6; c++) s += gray[y * W + c]; return s / 255; };
    const cand = probs.map((p, j) => { let b = 0; for (let k = 1; k < K; k++) if (p[k] > p[b]) b = k; return { digit: b, score: p[b], j, x: j * stride + win / 2 }; })
      .filter((c) => c.score > 0.8 && ink(c.j) > 8).sort((a, b) => b.score - a.score);
    const found = [];
    for (const c of cand) if (found.every((f) => Math.abs(f.j - c.j) * stride >= win * 0.6)) found.push(c);
    found.sort((a, b) => a.j - b.j);
    state.found = found;
    drawScoreMap(probs, K);
    const row = $('found');
    row.innerHTML = '';
    for (const f of found) {
      const chip = document.createElement('span');
      chip.className = 'chip';
      chip.style.left = `${(f.x / W) * 100}%`;
      chip.textContent = String(f.digit);
      chip.title = `${(f.score * 100).toFixed(1)}% at x = ${f.x}`;
      row.append(chip);
    }
    $('found-text').textContent = found.length ? `found: ${found.map((f) => f.digit).join(' ')}` : 'found: nothing yet';
  } catch (e) {
    fail('score map', e);
  } finally {
    wideBusy = false;
    if (wideDirty) setTimeout(runWide, 30);
  }
}

/** The score map: one column per window position, one row per class (0 at the top), brightness = probability. */
function drawScoreMap(probs, K) {
  const c = $('scoremap');
  c.width = probs.length; c.height = K;
  const ctx = c.getContext('2d');
  const img = ctx.createImageData(probs.length, K);
  probs.forEach((p, j) => { for (let k = 0; k < K; k++) { const i = (k * probs.length + j) * 4; const v = Math.round(p[k] * 255); img.data.set([v * 0.22, v * 0.74, v * 0.97, 255], i); } });
  ctx.putImageData(img, 0, 0);
}

/** Strokes for the tests and the console: [[x, y], …] per stroke in wide-pad units (0..1). */
function drawOnWide(strokes) {
  const { canvas, ctx } = wide;
  ctx.strokeStyle = '#fff'; ctx.lineWidth = canvas.height * 0.1; ctx.lineCap = 'round'; ctx.lineJoin = 'round';
  for (const st of strokes) {
    ctx.beginPath();
    st.forEach(([x, y], i) => (i ? ctx.lineTo(x * canvas.width, y * canvas.height) : ctx.moveTo(x * canvas.width, y * canvas.height)));
    ctx.stroke();
  }
  scheduleWide();
}

// ---- wiring -------------------------------------------------------------------------------------------

$('clear').addEventListener('click', () => clearPad());
$('wide-clear').addEventListener('click', () => { wide.clear(); scheduleWide(); });
$('digit-model').addEventListener('change', () => {
  state.digitModel = $('digit-model').value;
  state.summary = null; state.profile = null;
  if (state.mode === 'digits') openSession().then(() => schedulePredict());
});
$('sample').addEventListener('click', () => drawSample().catch((e) => fail('sample', e)));
$('fmap-select').addEventListener('change', () => refreshFmaps());
$('profile').addEventListener('click', () => runProfile());
$('backend-select').addEventListener('change', () => { state.summary = null; state.profile = null; openSession(); });
$('threads-select').addEventListener('change', () => { state.summary = null; state.profile = null; openSession(); });
window.addEventListener('resize', () => sizePad());

window.demo = { state, drawSample, drawImageOnPad, predictNow, clearPad, openSession, switchToDigits, drawOnWide, clearWide: () => { wide.clear(); scheduleWide(); } };

/** The digit models this build has (demo/build.mjs writes models/models.json); the first is the default. */
async function digitModels() {
  try {
    const res = await fetch('models/models.json');
    if (res.ok) { const list = (await res.json()).filter((k) => k in DIGIT_MODELS); if (list.length) return list; }
  } catch { /* the bundled one */ }
  return ['lenet'];
}

fillBackendControls();
sizePad();
clearPad();
wide.clear();
digitModels().then((list) => {
  $('digit-model').innerHTML = list.map((k) => `<option value="${k}">${k === 'lenet' ? 'lenet-digits (bundled)' : k}</option>`).join('');
  state.digitModel = list[0];
  return openSession();
});

// Offline: the service worker (generated by demo/build.mjs with the list of every built file) caches
// the app, the kernel binaries, the pool worker and the model.
if ('serviceWorker' in navigator && import.meta.env.PROD) {
  navigator.serviceWorker.register('./sw.js').then(() => navigator.serviceWorker.ready).then(() => {
    $('offline').textContent = 'Works offline: the app and model are cached.';
  }).catch((e) => console.warn('service worker:', e));
}
