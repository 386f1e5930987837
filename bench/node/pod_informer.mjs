// The JavaScript peer of bench/run.sh reflector: an @kubernetes/client-node informer (its
// ObjectCache) on the pods of one namespace. Prints "<cached> <rss before> <rss after sync>" in
// bytes, garbage collected before each reading.
import * as k8s from '@kubernetes/client-node';

const [kubeconfig, namespace] = process.argv.slice(2);
const kc = new k8s.KubeConfig();
kc.loadFromFile(kubeconfig);
const core = kc.makeApiClient(k8s.CoreV1Api);
await core.listNamespacedPod({ namespace, limit: 1 });  // warm, like the C++ client
global.gc();
const before = process.memoryUsage().rss;
const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${namespace}/pods`,
  () => core.listNamespacedPod({ namespace }));
informer.on('error', (err) => { console.error(err); process.exit(1); });
await informer.start();
global.gc();
const after = process.memoryUsage().rss;
console.log(`${informer.list(namespace).length} ${before} ${after}`);
process.exit(0);  // without stopping: the measurement is done (stop() aborts the watch with an error)
