"""Debian's python3-kubernetes (22.6.0) against `kaito-twin up` (KUBECONFIG from the environment):
CRUD and status patches on Workspaces through CustomObjectsApi, watch with resume from a
resourceVersion, 409 on a stale replace and on a duplicate create, 404 on a missing object,
and core (namespaces, configmaps, services, nodes, pods) and apps (deployments) objects through
the typed APIs, whose models check the server's replies on the client."""
import sys

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

G, V, P = "kaito.sh", "v1beta1", "workspaces"
NS = "python-test"
checks = 0
failures = 0


def check(desc, cond, detail=""):
    global checks, failures
    checks += 1
    if cond:
        print(f"ok {checks} - {desc}")
    else:
        failures += 1
        print(f"not ok {checks} - {desc}\n#   {detail}")


def expect_status(desc, code, fn):
    try:
        fn()
        check(desc, False, f"expected ApiException({code}), got success")
    except ApiException as e:
        check(desc, e.status == code, f"got {e.status}: {e.body}")


def workspace(name, instance="Standard_NC24ads_A100_v4"):
    return {
        "apiVersion": f"{G}/{V}", "kind": "Workspace",
        "metadata": {"name": name, "labels": {"app": "phi-3"}},
        "resource": {"instanceType": instance, "labelSelector": {"matchLabels": {"apps": "phi-3"}}},
        "inference": {"preset": {"name": "phi-3-mini-4k-instruct"}},
    }


def main():
    config.load_kube_config()
    core = client.CoreV1Api()
    apps = client.AppsV1Api()
    co = client.CustomObjectsApi()

    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NS)))
    check("namespace listed", NS in [n.metadata.name for n in core.list_namespace().items])

    # --- Workspaces through CustomObjectsApi
    created = co.create_namespaced_custom_object(G, V, NS, P, workspace("ws-a"))
    check("create returns the stored object", created["metadata"]["uid"] and created["metadata"]["resourceVersion"])
    expect_status("create of an existing object is 409", 409,
                  lambda: co.create_namespaced_custom_object(G, V, NS, P, workspace("ws-a")))
    got = co.get_namespaced_custom_object(G, V, NS, P, "ws-a")
    check("get returns it", got["resource"]["instanceType"] == "Standard_NC24ads_A100_v4")
    expect_status("get of a missing object is 404", 404,
                  lambda: co.get_namespaced_custom_object(G, V, NS, P, "nope"))
    co.create_namespaced_custom_object(G, V, NS, P, workspace("ws-b"))
    lst = co.list_namespaced_custom_object(G, V, NS, P)
    check("list returns both", sorted(i["metadata"]["name"] for i in lst["items"]) == ["ws-a", "ws-b"])
    check("list has a resourceVersion", lst["metadata"]["resourceVersion"])
    sel = co.list_namespaced_custom_object(G, V, NS, P, label_selector="app=phi-3")
    check("label selector", len(sel["items"]) == 2)
    allns = co.list_cluster_custom_object(G, V, P)
    check("list across namespaces", len([i for i in allns["items"] if i["metadata"]["namespace"] == NS]) == 2)

    patched = co.patch_namespaced_custom_object(G, V, NS, P, "ws-a", {"metadata": {"labels": {"tier": "gpu"}}})
    check("merge patch", patched["metadata"]["labels"]["tier"] == "gpu")
    st = co.patch_namespaced_custom_object_status(G, V, NS, P, "ws-a", {"status": {"conditions": [
        {"type": "ResourceReady", "status": "True", "reason": "ok", "message": "",
         "lastTransitionTime": "2026-01-01T00:00:00Z"}]}})
    check("status patch", st["status"]["conditions"][0]["status"] == "True")

    stale = co.get_namespaced_custom_object(G, V, NS, P, "ws-a")
    fresh = dict(stale)
    fresh["resource"] = dict(stale["resource"], instanceType="Standard_NC48ads_A100_v4")
    replaced = co.replace_namespaced_custom_object(G, V, NS, P, "ws-a", fresh)
    check("replace with the current resourceVersion", replaced["resource"]["instanceType"] == "Standard_NC48ads_A100_v4")
    check("replace bumped generation", replaced["metadata"]["generation"] == 2)
    expect_status("replace with a stale resourceVersion is 409", 409,
                  lambda: co.replace_namespaced_custom_object(G, V, NS, P, "ws-a", stale))

    # --- watch: initial events, then resume from a resourceVersion
    w = watch.Watch()
    events = [(e["type"], e["object"]["metadata"]["name"])
              for e in w.stream(co.list_namespaced_custom_object, G, V, NS, P, timeout_seconds=1)]
    check("watch without resourceVersion starts with ADDED for each object",
          sorted(events) == [("ADDED", "ws-a"), ("ADDED", "ws-b")], str(events))
    rv = co.list_namespaced_custom_object(G, V, NS, P)["metadata"]["resourceVersion"]
    co.create_namespaced_custom_object(G, V, NS, P, workspace("ws-c"))
    co.patch_namespaced_custom_object(G, V, NS, P, "ws-c", {"metadata": {"labels": {"x": "y"}}})
    co.delete_namespaced_custom_object(G, V, NS, P, "ws-c")
    events = [(e["type"], e["object"]["metadata"]["name"])
              for e in w.stream(co.list_namespaced_custom_object, G, V, NS, P,
                                resource_version=rv, timeout_seconds=1)]
    check("watch from a resourceVersion resumes in order",
          events == [("ADDED", "ws-c"), ("MODIFIED", "ws-c"), ("DELETED", "ws-c")], str(events))

    co.delete_namespaced_custom_object(G, V, NS, P, "ws-b")
    expect_status("get after delete is 404", 404, lambda: co.get_namespaced_custom_object(G, V, NS, P, "ws-b"))
    expect_status("delete of a missing object is 404", 404,
                  lambda: co.delete_namespaced_custom_object(G, V, NS, P, "ws-b"))

    # --- core and apps objects through the typed APIs
    cm = core.create_namespaced_config_map(NS, client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="cfg", labels={"app": "x"}), data={"k": "v"}))
    check("configmap created", cm.metadata.uid)
    stale_cm = core.read_namespaced_config_map("cfg", NS)
    stale_cm.data = {"k": "v2"}
    core.replace_namespaced_config_map("cfg", NS, stale_cm)
    stale_cm.data = {"k": "v3"}
    expect_status("stale configmap replace is 409", 409, lambda: core.replace_namespaced_config_map("cfg", NS, stale_cm))
    svc = core.create_namespaced_service(NS, client.V1Service(
        metadata=client.V1ObjectMeta(name="svc"),
        spec=client.V1ServiceSpec(selector={"app": "x"}, ports=[client.V1ServicePort(port=80)])))
    check("service gets a loopback ClusterIP", svc.spec.cluster_ip.startswith("127."), svc.spec.cluster_ip)
    check("service readable", core.read_namespaced_service("svc", NS).spec.cluster_i_ps == [svc.spec.cluster_ip])
    core.create_node(client.V1Node(metadata=client.V1ObjectMeta(name="gpu-node-1", labels={"gpu": "true"})))
    nodes = core.list_node()
    check("list_node", [n.metadata.name for n in nodes.items] == ["gpu-node-1"])
    core.patch_node("gpu-node-1", {"metadata": {"labels": {"zone": "a"}}})
    check("patch_node (strategic merge)", core.read_node("gpu-node-1").metadata.labels == {"gpu": "true", "zone": "a"})
    pod = core.create_namespaced_pod(NS, client.V1Pod(
        metadata=client.V1ObjectMeta(name="p", labels={"app": "x"}),
        spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="busybox")])))
    check("pod created Pending", pod.status.phase == "Pending")
    check("pods by label", [p.metadata.name for p in core.list_namespaced_pod(NS, label_selector="app=x").items] == ["p"])
    dep = apps.create_namespaced_deployment(NS, client.V1Deployment(
        metadata=client.V1ObjectMeta(name="web"),
        spec=client.V1DeploymentSpec(
            replicas=2, selector=client.V1LabelSelector(match_labels={"app": "web"}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": "web"}),
                spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="nginx")])))))
    check("deployment created", dep.metadata.generation == 1)
    check("deployments listed", [d.metadata.name for d in apps.list_namespaced_deployment(NS).items] == ["web"])
    scale = apps.read_namespaced_deployment_scale("web", NS)
    check("deployment scale", scale.spec.replicas == 2)

    core.delete_namespace(NS)
    print(f"1..{checks}")
    if failures:
        print(f"# {failures} of {checks} checks failed")
        sys.exit(1)
    print(f"# all {checks} checks passed")


if __name__ == "__main__":
    main()
