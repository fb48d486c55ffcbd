'use strict';
// An ADS server Kmesh did not write, for interop tests of the daemon's ADS client.
// Built on @grpc/grpc-js and @grpc/proto-loader, with Envoy's protos from the pinned
// @grpc/grpc-js-xds package. Serves LDS/CDS/EDS/RDS over SotW (StreamAggregatedResources) and
// delta (DeltaAggregatedResources) from a JSON file: { "version": "1", "resources": [ {"@type": ...}, ... ] }
// in proto3 JSON (Envoy's field names).
//
//   node server.js --file resources.json [--port N]
//
// stdout: one JSON event a line: listening {port}, stream {mode,node}, request {mode,type,nonce},
// ack {mode,type,version,nonce}, nack {mode,type,nonce,version,detail,code}, pushed {version}, error {message}.
// stdin commands, one a line: "push" (re-read the file, send its new version to every stream),
// "restart" (drop every stream and the listener, listen again on the same port), "quit".
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const deps = path.join(path.dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
const includeDirs = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map(d => path.join(deps, d));
const resourceProtos = [
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
];
const TYPES = {
  lds: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  cds: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  eds: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  rds: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
};
const WILDCARD = new Set([TYPES.lds, TYPES.cds]);

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const file = arg('file');
let port = Number(arg('port', '0'));
const emit = (event, fields) => process.stdout.write(JSON.stringify({ event, ...fields }) + '\n');

// gRPC service definition, as proto-loader gives it (keepCase: Envoy's field names on the wire objects).
const definition = protoLoader.loadSync('envoy/service/discovery/v3/ads.proto', {
  keepCase: true, longs: String, enums: String, defaults: false, oneofs: true, includeDirs,
});
const ads = grpc.loadPackageDefinition(definition).envoy.service.discovery.v3.AggregatedDiscoveryService;

// Resource types, for packing the file's JSON into Any.
const root = new protobuf.Root();
root.resolvePath = (origin, target) => {
  for (const dir of includeDirs) {
    const candidate = path.join(dir, target);
    if (fs.existsSync(candidate)) return candidate;
  }
  return protobuf.util.path.resolve(origin, target);
};
root.loadSync(resourceProtos, { keepCase: true });
root.resolveAll();

const WRAPPERS = new Set(['DoubleValue', 'FloatValue', 'Int64Value', 'UInt64Value', 'Int32Value', 'UInt32Value', 'BoolValue', 'StringValue', 'BytesValue']);

/** proto3 JSON (what Envoy and Kmesh write) to the plain object protobufjs encodes. */
function fromJson(type, json) {
  const out = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === '@type') continue;
    const field = type.fields[key];
    if (!field) throw new Error(`${type.fullName} has no field ${key}`);
    field.resolve();
    const convert = v => field.resolvedType instanceof protobuf.Type ? message(field.resolvedType, v) : v;
    if (field.map) out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v)]));
    else if (field.repeated) out[key] = value.map(convert);
    else out[key] = convert(value);
  }
  return out;
}

function message(type, value) {
  switch (type.fullName) {
    case '.google.protobuf.Any': return pack(value);
    case '.google.protobuf.Duration': {
      const m = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/.exec(value);
      if (!m) throw new Error(`bad duration ${value}`);
      const sign = m[1] ? -1 : 1;
      return { seconds: sign * Number(m[2]), nanos: sign * Number((m[3] || '').padEnd(9, '0')) };
    }
    case '.google.protobuf.Struct': return { fields: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structValue(v)])) };
    case '.google.protobuf.Value': return structValue(value);
    default:
      if (type.parent && type.parent.fullName === '.google.protobuf' && WRAPPERS.has(type.name)) return { value };
      return fromJson(type, value);
  }
}

function structValue(v) {
  if (v === null) return { null_value: 'NULL_VALUE' };
  if (typeof v === 'number') return { number_value: v };
  if (typeof v === 'string') return { string_value: v };
  if (typeof v === 'boolean') return { bool_value: v };
  if (Array.isArray(v)) return { list_value: { values: v.map(structValue) } };
  return { struct_value: { fields: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, structValue(x)])) } };
}

function pack(json) {
  const url = json['@type'];
  const type = root.lookupType(url.substring(url.lastIndexOf('/') + 1));
  const object = type.fromObject(fromJson(type, json));
  return { type_url: url, value: Buffer.from(type.encode(object).finish()) };
}

function nameOf(json) {
  return json['@type'] === TYPES.eds ? json.cluster_name : json.name;
}

/** The served configuration: version and, per type, name -> Any. */
let config = { version: '', byType: new Map() };
function load() {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byType = new Map(Object.values(TYPES).map(t => [t, new Map()]));
  for (const json of parsed.resources) {
    if (!byType.has(json['@type'])) throw new Error(`unserved type ${json['@type']}`);
    byType.get(json['@type']).set(nameOf(json), pack(json));
  }
  config = { version: String(parsed.version), byType };
}

const streams = new Set();
let nonceCounter = 0;
const nextNonce = () => String(++nonceCounter);

function sotw(call) {
  const subscribed = new Map(); // type -> Set of names (EDS/RDS) or null (wildcard)
  const sentVersion = new Map(); // type -> version last sent
  const sentNonce = new Map();
  const send = (type, force) => {
    if (!subscribed.has(type)) return;
    if (!force && sentVersion.get(type) === config.version) return;
    const names = subscribed.get(type);
    const resources = [...config.byType.get(type).entries()].filter(([n]) => !names || names.has(n)).map(([, any]) => any);
    const nonce = nextNonce();
    sentVersion.set(type, config.version);
    sentNonce.set(type, nonce);
    call.write({ type_url: type, version_info: config.version, nonce, resources });
  };
  const stream = { push: () => Object.values(TYPES).forEach(t => send(t, false)), end: () => call.destroy() };
  streams.add(stream);
  call.on('data', request => {
    if (request.node && request.node.id) emit('stream', { mode: 'sotw', node: request.node.id });
    const type = request.type_url;
    if (request.error_detail) {
      emit('nack', { mode: 'sotw', type, nonce: request.response_nonce, version: request.version_info, detail: request.error_detail.message, code: request.error_detail.code });
      return;
    }
    if (request.response_nonce && request.response_nonce === sentNonce.get(type))
      emit('ack', { mode: 'sotw', type, version: request.version_info, nonce: request.response_nonce });
    const names = WILDCARD.has(type) ? null : new Set(request.resource_names || []);
    const before = subscribed.get(type);
    const changed = !subscribed.has(type) || (names && (!before || before.size !== names.size || [...names].some(n => !before.has(n))));
    subscribed.set(type, names);
    if (changed) {
      emit('request', { mode: 'sotw', type, nonce: request.response_nonce });
      send(type, true);
    }
  });
  call.on('end', () => call.end());
  call.on('error', () => {});
  call.on('close', () => streams.delete(stream));
}

function delta(call) {
  const subscribed = new Map(); // type -> Set (wildcard: null)
  const known = new Map(); // type -> Map name -> version the client holds
  const pending = new Map(); // nonce -> type
  const send = type => {
    if (!subscribed.has(type)) return;
    const names = subscribed.get(type);
    const holds = known.get(type);
    const served = config.byType.get(type);
    const resources = [];
    for (const [name, any] of served) {
      if (names && !names.has(name)) continue;
      if (holds.get(name) === config.version) continue;
      resources.push({ name, version: config.version, resource: any });
      holds.set(name, config.version);
    }
    const removed = [...holds.keys()].filter(n => !served.has(n) || (names && !names.has(n)));
    removed.forEach(n => holds.delete(n));
    if (resources.length === 0 && removed.length === 0) return;
    const nonce = nextNonce();
    pending.set(nonce, type);
    call.write({ type_url: type, system_version_info: config.version, nonce, resources, removed_resources: removed });
  };
  const stream = { push: () => Object.values(TYPES).forEach(send), end: () => call.destroy() };
  streams.add(stream);
  call.on('data', request => {
    if (request.node && request.node.id) emit('stream', { mode: 'delta', node: request.node.id });
    const type = request.type_url;
    if (!known.has(type)) known.set(type, new Map(Object.entries(request.initial_resource_versions || {})));
    if (request.error_detail) {
      emit('nack', { mode: 'delta', type, nonce: request.response_nonce, version: '', detail: request.error_detail.message, code: request.error_detail.code });
      // The client kept what it had: forget what that response carried so it is offered again with the next version.
      known.set(type, new Map());
      return;
    }
    if (request.response_nonce && pending.has(request.response_nonce)) {
      pending.delete(request.response_nonce);
      emit('ack', { mode: 'delta', type, version: config.version, nonce: request.response_nonce });
    }
    const subscribe = request.resource_names_subscribe || [];
    const unsubscribe = request.resource_names_unsubscribe || [];
    let names = subscribed.has(type) ? subscribed.get(type) : (WILDCARD.has(type) ? null : new Set());
    if (!WILDCARD.has(type)) {
      names = new Set(names);
      subscribe.forEach(n => names.add(n));
      unsubscribe.forEach(n => names.delete(n));
    }
    const first = !subscribed.has(type);
    subscribed.set(type, names);
    if (first || subscribe.length > 0 || unsubscribe.length > 0) {
      emit('request', { mode: 'delta', type, nonce: request.response_nonce });
      send(type);
    }
  });
  call.on('end', () => call.end());
  call.on('error', () => {});
  call.on('close', () => streams.delete(stream));
}

let server;
function listen() {
  server = new grpc.Server();
  server.addService(ads.service, { StreamAggregatedResources: sotw, DeltaAggregatedResources: delta });
  server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => {
    if (error) {
      emit('error', { message: error.message });
      process.exit(1);
    }
    port = bound;
    emit('listening', { port });
  });
}

try {
  load();
} catch (e) {
  emit('error', { message: e.message });
  process.exit(1);
}
listen();
readline.createInterface({ input: process.stdin }).on('line', line => {
  const command = line.trim();
  try {
    if (command === 'push') {
      load();
      emit('pushed', { version: config.version });
      streams.forEach(s => s.push());
    } else if (command === "restart") {
      streams.forEach(s => s.end());
      streams.clear();
      server.forceShutdown();
      listen();
    } else if (command === 'quit') {
      server.forceShutdown();
      process.exit(0);
    }
  } catch (e) {
    emit('error', { message: e.message });
  }
}).on('close', () => process.exit(0));
