// The JavaScript peer of bench/run.sh list: @kubernetes/client-node's listNamespacedPod.
import * as k8s from '@kubernetes/client-node';

const [kubeconfig, namespace] = process.argv.slice(2);
const kc = new k8s.KubeConfig();
kc.loadFromFile(kubeconfig);
const core = kc.makeApiClient(k8s.CoreV1Api);
const list = await core.listNamespacedPod({ namespace });
console.log(list.items.length);
