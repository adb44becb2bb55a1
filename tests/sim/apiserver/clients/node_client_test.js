// @kubernetes/client-node (1.x, from tests/clients via NODE_PATH) against `kaito-twin up`
// (KUBECONFIG from the environment): lists Workspaces through CustomObjectsApi and watches them
// (initial ADDED events, then a change), proving the kubeconfig, TLS, token and watch stream
// work for it as they do on a cluster.
const k8s = require('@kubernetes/client-node');

const NS = 'node-test';
let checks = 0;
let failures = 0;
function check(desc, cond, detail) {
  checks += 1;
  if (cond) {
    console.log(`ok ${checks} - ${desc}`);
  } else {
    failures += 1;
    console.log(`not ok ${checks} - ${desc}\n#   ${detail || ''}`);
  }
}

function workspace(name) {
  return {
    apiVersion: 'kaito.sh/v1beta1', kind: 'Workspace', metadata: { name, namespace: NS },
    resource: { instanceType: 'Standard_NC24ads_A100_v4', labelSelector: { matchLabels: { apps: 'phi-3' } } },
    inference: { preset: { name: 'phi-3-mini-4k-instruct' } },
  };
}

async function main() {
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const co = kc.makeApiClient(k8s.CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  const g = { group: 'kaito.sh', version: 'v1beta1', namespace: NS, plural: 'workspaces' };
  await co.createNamespacedCustomObject({ ...g, body: workspace('ws-a') });
  await co.createNamespacedCustomObject({ ...g, body: workspace('ws-b') });
  const list = await co.listNamespacedCustomObject(g);
  check('list returns the Workspaces', JSON.stringify(list.items.map((i) => i.metadata.name).sort()) === '["ws-a","ws-b"]',
    JSON.stringify(list));

  const seen = [];
  const watcher = new k8s.Watch(kc);
  let closed;
  const done = new Promise((resolve) => { closed = resolve; });
  const req = await watcher.watch(`/apis/kaito.sh/v1beta1/namespaces/${NS}/workspaces`, { timeoutSeconds: 3 },
    (type, obj) => { seen.push(`${type} ${obj.metadata.name}`); },
    (err) => closed(err));
  // A change while the watch is open.
  await new Promise((r) => setTimeout(r, 300));
  await co.patchNamespacedCustomObject({ ...g, name: 'ws-a', body: { metadata: { labels: { x: 'y' } } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  const err = await done;
  check('the watch ends cleanly at timeoutSeconds', !err, String(err));
  check('watch: initial ADDED events', seen.includes('ADDED ws-a') && seen.includes('ADDED ws-b'), JSON.stringify(seen));
  check('watch: the change arrives', seen.includes('MODIFIED ws-a'), JSON.stringify(seen));
  if (req && req.abort) req.abort();
  await core.deleteNamespace({ name: NS });
  console.log(`1..${checks}`);
  if (failures) {
    console.log(`# ${failures} of ${checks} checks failed`);
    process.exit(1);
  }
  console.log(`# all ${checks} checks passed`);
}

main().catch((e) => {
  console.log(`not ok - unexpected error: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
