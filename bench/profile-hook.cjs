// Preloaded into our server by `PROFILE=<dir> npm run bench`: SIGWINCH starts the CPU profiler, the
// next SIGWINCH writes it to <dir>/<the name in <dir>/next> (so only the measured load is profiled).
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');
const dir = process.env.BENCH_PROFILE_DIR;
const session = new inspector.Session();
session.connect();
let running = false;
process.on('SIGWINCH', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 250 }, () => session.post('Profiler.start')));
    return;
  }
  running = false;
  session.post('Profiler.stop', (err, result) => {
    if (err) return;
    const name = fs.readFileSync(path.join(dir, 'next'), 'utf8').trim();
    fs.writeFileSync(path.join(dir, name), JSON.stringify(result.profile));
  });
});
