import { serveDir } from '../../scripts/serve-demo.mjs';
import { launchChromium } from '../runtimes/helpers.ts';
const s = await serveDir('/work/main/demo/dist');
const b = await launchChromium();
const ctx = await b.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true });
const page = await ctx.newPage();
page.on('console', (m) => console.log('console', m.type(), m.text()));
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto(s.url);
await page.waitForFunction(() => (window as any).demo?.state.summary && (window as any).demo.state.profile, null, { timeout: 15000 });
console.log(await page.evaluate(() => document.getElementById('backend')!.textContent));
const box = (await page.locator('#pad').boundingBox())!;
const shapes: Record<string, number[][][]> = {
  '7': [[[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]]],
  '1': [[[0.4, 0.3], [0.55, 0.15], [0.55, 0.85]]],
  '0': [Array.from({ length: 25 }, (_, i) => [0.5 + 0.25 * Math.sin(i / 24 * 2 * Math.PI), 0.5 - 0.35 * Math.cos(i / 24 * 2 * Math.PI)])],
  '4': [[[0.6, 0.85], [0.6, 0.15], [0.25, 0.6], [0.78, 0.6]]],
  '3': [[[0.3, 0.2], [0.65, 0.2], [0.45, 0.48], [0.7, 0.65], [0.55, 0.85], [0.3, 0.8]]],
  '2': [[[0.3, 0.3], [0.5, 0.15], [0.7, 0.3], [0.3, 0.85], [0.75, 0.85]]],
  'L': [[[0.5, 0.15], [0.5, 0.85]]],
};
for (const [d, strokes] of Object.entries(shapes)) {
  await page.click('#clear');
  for (const st of strokes) {
    const pts = st.flatMap((p, i) => i === 0 ? [p] : Array.from({ length: 8 }, (_, k) => [st[i - 1][0] + (p[0] - st[i - 1][0]) * (k + 1) / 8, st[i - 1][1] + (p[1] - st[i - 1][1]) * (k + 1) / 8]));
    await page.mouse.move(box.x + pts[0][0] * box.width, box.y + pts[0][1] * box.height);
    await page.mouse.down();
    for (const p of pts.slice(1)) await page.mouse.move(box.x + p[0] * box.width, box.y + p[1] * box.height);
    await page.mouse.up();
  }
  await page.waitForTimeout(300);
  console.log(d, JSON.stringify(await page.evaluate(() => (window as any).demo.state.prediction)));
}
for (let i = 0; i < 10; i++) {
  await page.evaluate((i) => (window as any).demo.drawSample(i), i);
  await page.waitForTimeout(300);
  console.log('sample', i, JSON.stringify(await page.evaluate(() => (window as any).demo.state.prediction?.[0])));
}
await page.screenshot({ path: '/tmp/demo-explore/full.png', fullPage: true });
await b.close(); await s.close();
