// Real grpc-js client for the HTTP/2 goldens: one call (or a few) per run, on one h2c connection.
// usage: node client.js PORT unary-ok|unary-notfound|server-stream|traceparent|multi|deadline
'use strict';
const path = require('path');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const [port, mode] = process.argv.slice(2);
const def = loader.loadSync(path.join(__dirname, 'demo.proto'), { keepCase: true });
const demo = grpc.loadPackageDefinition(def).tapflow.demo;
const client = new demo.Catalog('127.0.0.1:' + port, grpc.credentials.createInsecure());

function unary(id, metadata, options) {
  return new Promise((resolve) => {
    client.GetItem({ id }, metadata || new grpc.Metadata(), options || {}, (err, reply) => {
      console.log(err ? `GetItem(${id}) -> ${grpc.status[err.code]} ${err.details}` : `GetItem(${id}) -> OK ${JSON.stringify(reply)}`);
      resolve();
    });
  });
}

function stream(count) {
  return new Promise((resolve) => {
    const call = client.ListItems({ count });
    call.on('data', (item) => console.log('ListItems item ' + JSON.stringify(item)));
    call.on('status', (s) => console.log(`ListItems -> ${grpc.status[s.code]}`));
    call.on('end', resolve);
    call.on('error', () => {});
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main() {
  switch (mode) {
    case 'unary-ok': await unary('42'); break;
    case 'unary-notfound': await unary('missing'); break;
    case 'server-stream': await stream(3); break;
    // the server answers 'slow' after 300 ms; the client gives up after 100 ms and resets the stream
    case 'deadline': await unary('slow', undefined, { deadline: Date.now() + 100 }); await sleep(400); break;
    case 'traceparent': {
      const md = new grpc.Metadata();
      md.set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
      md.set('x-request-id', 'req-grpc-1');
      await unary('7', md);
      break;
    }
    case 'multi': await Promise.all([unary('1'), unary('missing'), stream(2)]); break;
    default: throw new Error('unknown mode ' + mode);
  }
  client.close();
}
main();
