// Real grpc-js server for the HTTP/2 goldens: listens on 127.0.0.1:PORT without TLS (h2c).
// GetItem answers NOT_FOUND for id "missing" and waits 300 ms for id "slow"; ListItems streams `count` items.
'use strict';
const path = require('path');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const port = process.argv[2];
const def = loader.loadSync(path.join(__dirname, 'demo.proto'), { keepCase: true });
const demo = grpc.loadPackageDefinition(def).tapflow.demo;

const server = new grpc.Server();
server.addService(demo.Catalog.service, {
  GetItem(call, callback) {
    const id = call.request.id;
    if (id === 'missing') {
      callback({ code: grpc.status.NOT_FOUND, details: 'item missing does not exist' });
      return;
    }
    if (id === 'slow') {
      setTimeout(() => callback(null, { id, name: 'late' }), 300);
      return;
    }
    callback(null, { id, name: 'item ' + id });
  },
  ListItems(call) {
    for (let i = 1; i <= call.request.count; i++) {
      call.write({ id: String(i), name: 'item ' + i });
    }
    call.end();
  },
});
server.bindAsync('127.0.0.1:' + port, grpc.ServerCredentials.createInsecure(), (err) => {
  if (err) {
    console.error(err);
    process.exit(1);
  }
  console.log('listening on ' + port);
});
