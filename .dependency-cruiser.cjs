/* global module */
// The layers of STYLE.md, checked on every `npm run lint` (so in `npm test`). Imports only point down:
//
//   cli, telemetry          the top: may use everything below (telemetry is an operator over connectWithState)
//   testing                 the emulator: may use session, client, operators, protocol, audio
//   session                 session(), reconnect: above client and operators
//   client                  connect(): sockets, URL, auth
//   operators               rxjs + protocol types + audio functions; no sockets
//   protocol, audio         codecs; bytes. No rxjs. audio imports nothing of ours; protocol may use audio's bytes
//
// src/index.ts and src/testing/index.ts are the barrels; nothing inside src may import a barrel of a layer above.
/** A layer may import only the layers listed for it (and itself). */
const below = {
  audio: [],
  protocol: ['audio'],
  operators: ['protocol', 'audio'],
  client: ['protocol', 'audio', 'operators'],
  session: ['client', 'operators', 'protocol', 'audio'],
  testing: ['session', 'client', 'operators', 'protocol', 'audio'],
  telemetry: ['session', 'client', 'operators', 'protocol', 'audio'],
  cli: ['testing', 'telemetry', 'session', 'client', 'operators', 'protocol', 'audio'],
};
const layers = Object.keys(below);
const any = `(${layers.join('|')})`;

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two files one unit: cut it (STYLE: files that teach one thing).',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...layers.map((layer) => ({
      name: `layer-${layer}`,
      severity: 'error',
      comment: `src/${layer} may import only ${below[layer].length ? below[layer].join(', ') : 'itself'} (imports only point down).`,
      from: { path: `^src/${layer}/` },
      to: {
        path: `^src/${any}/`,
        pathNot: [`^src/${layer}/`, ...below[layer].map((l) => `^src/${l}/`)],
      },
    })),
    {
      name: 'no-barrel-from-inside',
      severity: 'error',
      comment: 'src/index.ts is what users import; code inside src imports the file it needs.',
      from: { path: '^src/', pathNot: '^src/index\\.ts$' },
      to: { path: '^src/index\\.ts$' },
    },
    {
      name: 'no-rxjs-in-codecs',
      severity: 'error',
      comment: 'protocol and audio are plain functions: no rxjs, no sockets.',
      from: { path: '^src/(protocol|audio)/' },
      to: { path: 'node_modules/(rxjs|ws)/' },
    },
    {
      name: 'no-io-ts-in-audio',
      severity: 'error',
      comment: 'audio is bytes in, bytes out: no io-ts.',
      from: { path: '^src/audio/' },
      to: { path: 'node_modules/(io-ts|fp-ts)/' },
    },
    {
      name: 'no-sockets-in-operators',
      severity: 'error',
      comment: 'operators are pure: no sockets.',
      from: { path: '^src/operators/' },
      to: { path: 'node_modules/ws/' },
    },
    {
      name: 'telemetry-api-is-optional',
      severity: 'error',
      comment:
        '@opentelemetry/api is an optional peer: only src/telemetry may mention it, and only as types (import type) or a guarded lazy load.',
      from: { path: '^src/', pathNot: '^src/telemetry/' },
      to: { path: 'node_modules/@opentelemetry/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.d\\.ts$' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
