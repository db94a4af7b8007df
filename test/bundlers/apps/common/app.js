// The app every bundler test builds (test/bundlers/bundlers.test.ts): what a new user writes, nothing
// edgecnn-specific in any build configuration. It classifies the ten bundled digit samples with the
// bundled model, loaded by a plain string path (a URL resolved against the page), shows the digits and
// the answers, and leaves the result in `window.edgecnnResult` for the test.
import { Session, Tensor } from 'edgecnn';

const $ = (id) => document.getElementById(id);

function drawDigit(pixels, at, label) {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 28;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    // the samples are normalized ((x - 0.1558) / 0.2774): back to 0..255 grey, ink bright
    const v = Math.max(0, Math.min(255, Math.round((pixels[at + i] * 0.2774 + 0.1558) * 255)));
    img.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  const figure = document.createElement('figure');
  const caption = document.createElement('figcaption');
  caption.textContent = String(label);
  figure.append(canvas, caption);
  $('digits').append(figure);
}

const STYLE = `
  body { font: 14px system-ui, sans-serif; margin: 16px; }
  #digits { display: flex; gap: 8px; margin: 8px 0; }
  figure { margin: 0; text-align: center; }
  canvas { width: 56px; height: 56px; image-rendering: pixelated; background: #000; }
  figcaption { font: bold 18px monospace; }
  #error { color: #b00; white-space: pre-wrap; }`;

export async function main(app) {
  document.head.append(Object.assign(document.createElement('style'), { textContent: STYLE }));
  document.body.innerHTML = '<h3>edgecnn in a web app: <span id="app"></span></h3><div id="backend">loading…</div><div id="digits"></div><div id="answer"></div><pre id="error"></pre>';
  $('app').textContent = `${app}${globalThis.crossOriginIsolated ? ', cross-origin isolated' : ', not isolated'}`;
  const t0 = performance.now();
  try {
    const session = await Session.create('models/lenet-digits.onnx', { threads: 2 });
    const res = await fetch('models/digits-sample.bin');
    if (!res.ok) throw new Error(`models/digits-sample.bin: HTTP ${res.status}`);
    const pixels = new Float32Array(await res.arrayBuffer());
    const n = pixels.length / 784;
    const out = await session.run({ [session.inputs[0].name]: new Tensor('float32', pixels, [n, 1, 28, 28]) });
    const y = out[session.outputs[0].name];
    const answer = [];
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let c = 1; c < 10; c++) if (y.data[r * 10 + c] > y.data[r * 10 + best]) best = c;
      answer.push(best);
      drawDigit(pixels, r * 784, best);
    }
    const result = {
      app, ok: true, backend: session.backend, threads: session.threads, crossOriginIsolated: globalThis.crossOriginIsolated === true,
      dims: y.dims, logits: Array.from(y.data), answer, ms: Math.round(performance.now() - t0),
    };
    await session.dispose();
    $('backend').textContent = session.backend;
    $('answer').textContent = `answer: ${answer.join(' ')}  (${result.ms} ms)`;
    window.edgecnnResult = result;
  } catch (e) {
    $('error').textContent = String(e?.stack ?? e);
    window.edgecnnResult = { app, ok: false, error: `${e?.name ?? 'Error'}: ${e?.message ?? e}` };
  }
}
