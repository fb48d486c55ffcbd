// Resolves xds:///echo through the ADS server named in $GRPC_XDS_BOOTSTRAP (LDS -> RDS -> CDS -> EDS,
// as gRPC's own xDS client does it) and makes one call to the endpoint it found. Prints the call's
// gRPC status as JSON: UNIMPLEMENTED (12) means the endpoint was reached; UNAVAILABLE or
// DEADLINE_EXCEEDED mean resolution failed (the server log says why, e.g. a NACK).
const grpc = require('@grpc/grpc-js');
require('@grpc/grpc-js-xds').register();
const client = new grpc.Client('xds:///echo', grpc.credentials.createInsecure());
const deadline = new Date(Date.now() + 15000);
client.makeUnaryRequest('/kmesh.Probe/Call', x => x, x => x, Buffer.alloc(0), { deadline }, (err) => {
  console.log(JSON.stringify({ code: err ? err.code : 0, details: err ? err.details : '' }));
  process.exit(0);
});
