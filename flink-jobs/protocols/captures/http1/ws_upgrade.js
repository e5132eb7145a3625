// WebSocket upgrade over HTTP/1.1 with the `ws` library on both ends: GET with Upgrade: websocket, 101 Switching
// Protocols, then WebSocket frames both ways on the same connection (which the HTTP/1 decoder must stop reading).
// Usage: node ws_upgrade.js PORT   (NODE_PATH must hold the ws package)
const { WebSocketServer, WebSocket } = require('ws');
const port = Number(process.argv[2]);
const wss = new WebSocketServer({ host: '127.0.0.1', port }, () => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/chat`);
  ws.on('open', () => ws.send('hello over websocket'));
  ws.on('message', (m) => {
    console.log(`echo: ${m}`);
    ws.close();
  });
  ws.on('close', () => wss.close());
});
wss.on('connection', (sock) => sock.on('message', (m) => sock.send(`echo ${m}`)));
