"""Renders the packaged chart with Helm's own engine (Helm's Go SDK through helm-python-sdk) and
checks what it renders: the defaults against deploy/scalecore.yaml, every value against the
objects it should change, and every configuration against Kubernetes' schemas.

Usage: helm_check.py CHART.tgz DEPLOY_YAML SCALECORE_BINARY
"""

import copy
import subprocess
import sys
import tempfile

import helm_python as helm
import kubernetes_validate
import yaml

CHART, DEPLOY, SCALECORE = sys.argv[1:4]
KUBE_VERSION = "1.30"
# Labels a Helm release adds to tell its objects from another release's; deploy/ has only
# app.kubernetes.io/name.
RELEASE_LABELS = (
    "app.kubernetes.io/instance",
    "app.kubernetes.io/version",
    "app.kubernetes.io/managed-by",
    "helm.sh/chart",
)
CLIENT_ID = "00000000-0000-4000-8000-000000000001"

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}")


def render(values=None, name="scalecore", namespace="scalecore"):
    with helm.Chart.load(CHART) as chart:
        manifests = chart.render(values or {}, name=name, namespace=namespace, is_install=True)
    docs = []
    for path, text in manifests.items():
        if path.endswith("NOTES.txt"):  # shown after install, not applied
            check(f"runs in namespace {namespace}" in text, f"NOTES.txt names the namespace: {text}")
            continue
        docs += [d for d in yaml.safe_load_all(text) if d]
    return docs


def find(docs, kind, name=None):
    hits = [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    return hits


def one(docs, kind, name=None):
    hits = find(docs, kind, name)
    check(len(hits) == 1, f"one {kind} {name or ''} rendered, got {len(hits)}")
    return hits[0] if hits else {}


def strip_release_labels(doc):
    doc = copy.deepcopy(doc)

    def drop(labels):
        for k in RELEASE_LABELS:
            labels.pop(k, None)

    def walk(node):
        if isinstance(node, dict):
            for key in ("labels", "matchLabels"):
                if isinstance(node.get(key), dict):
                    drop(node[key])
            if doc.get("kind") == "Service" and isinstance(node.get("selector"), dict):
                drop(node["selector"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    return doc


def differences(a, b, path=""):
    """The paths where two documents differ, with both values."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            out += differences(a.get(k, "<absent>"), b.get(k, "<absent>"), f"{path}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path or '.'}: deploy/ {a!r}, chart {b!r}"]


def schema_check(docs, what):
    for d in docs:
        if d["apiVersion"].startswith("monitoring.coreos.com/"):
            continue  # prometheus-operator's CRD, not in Kubernetes' schemas
        try:
            kubernetes_validate.validate(d, KUBE_VERSION, strict=True)
        except kubernetes_validate.ValidationError as e:
            check(False, f"{what}: {d['kind']} {d['metadata']['name']} fails the Kubernetes {KUBE_VERSION} schema: {e.message} at {list(e.path)}")


def container(docs):
    return one(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]


def rules_of(docs):
    out = []
    for kind in ("ClusterRole", "Role"):
        for r in find(docs, kind):
            out += r.get("rules", [])
    return out


def grants(rules):
    """Every (group, resource, verb, resourceName) a set of rules grants."""
    out = set()
    for r in rules:
        for g in r["apiGroups"]:
            for res in r["resources"]:
                for v in r["verbs"]:
                    for n in r.get("resourceNames", [None]):
                        out.add((g, res, v, n))
    return out


def consistent(docs, what):
    """Selectors select the pods, bindings name objects that are rendered, the Lease the
    arguments name is the one the Role lets the host update."""
    dep = one(docs, "Deployment")
    pod_labels = dep["spec"]["template"]["metadata"]["labels"]
    sel = dep["spec"]["selector"]["matchLabels"]
    check(sel.items() <= pod_labels.items(), f"{what}: the Deployment's selector selects its pods")
    for kind, path in (("PodDisruptionBudget", ("spec", "selector", "matchLabels")),
                       ("NetworkPolicy", ("spec", "podSelector", "matchLabels")),
                       ("Service", ("spec", "selector"))):
        for d in find(docs, kind):
            s = d
            for p in path:
                s = s[p]
            check(s.items() <= pod_labels.items(), f"{what}: {kind} {d['metadata']['name']} selects the pods")
    sa = dep["spec"]["template"]["spec"]["serviceAccountName"]
    one(docs, "ServiceAccount", sa)
    for kind in ("RoleBinding", "ClusterRoleBinding"):
        for b in find(docs, kind):
            check(len(find(docs, b["roleRef"]["kind"], b["roleRef"]["name"])) == 1, f"{what}: {kind} {b['metadata']['name']} binds a rendered {b['roleRef']['name']}")
            check(b["subjects"] == [{"kind": "ServiceAccount", "name": sa, "namespace": dep["metadata"]["namespace"]}], f"{what}: {kind} {b['metadata']['name']} binds the pods' ServiceAccount")
    args = container(docs)["args"]
    if "--dry-run" not in args:
        lease = args[args.index("--lease-name") + 1] if "--lease-name" in args else "scalecore-leader"
        named = {n for r in rules_of(docs) for n in r.get("resourceNames", [])}
        check(named == {lease}, f"{what}: the Role names the Lease the host uses ({lease}), got {named}")
    for sm in find(docs, "ServiceMonitor"):
        svc = find(docs, "Service")
        check(any(sm["spec"]["selector"]["matchLabels"].items() <= s["metadata"]["labels"].items()
                  and {e["port"] for e in sm["spec"]["endpoints"]} <= {p["name"] for p in s["spec"]["ports"]}
                  for s in svc), f"{what}: the ServiceMonitor selects the metrics Service and its port")
    schema_check(docs, what)


# --- helm lint, as `helm lint` would ----------------------------------------------------------
report = helm.lint(CHART, strict=True, kube_version="v" + KUBE_VERSION + ".0")
# Chart.yaml `icon` is only recommended; everything else counts.
findings = [m for m in report["messages"] if m["severity"] >= 2 or "icon" not in m["error"]]
check(not report["errors"] and not findings, f"helm lint --strict clean: {report}")

# --- defaults: the objects of deploy/scalecore.yaml -------------------------------------------
with open(DEPLOY) as f:
    deploy = [d for d in yaml.safe_load_all(f.read().replace("<CLIENT_ID>", CLIENT_ID)) if d]

defaults = render()
with_id = render({"workloadIdentity": {"clientId": CLIENT_ID}, "createNamespace": True})
for want in deploy:
    key = (want["kind"], want["metadata"]["name"], want["metadata"].get("namespace"))
    got = [d for d in with_id if (d["kind"], d["metadata"]["name"], d["metadata"].get("namespace")) == key]
    check(len(got) == 1, f"deploy/ {key} rendered once (clientId set, createNamespace)")
    if got:
        g = strip_release_labels(got[0])
        diff = differences(want, g)
        check(not diff, f"deploy/ {key} rendered the same:\n  " + "\n  ".join(diff))
deploy_keys = {(d["kind"], d["metadata"]["name"]) for d in deploy}
extras = sorted({(d["kind"], d["metadata"]["name"]) for d in with_id} - deploy_keys)
check(extras == [("PodDisruptionBudget", "scalecore"), ("Service", "scalecore-metrics")],
      f"beyond deploy/, only the PodDisruptionBudget and the metrics Service: {extras}")
check(not find(defaults, "Namespace"), "no Namespace by default (helm install keeps its record there)")
consistent(defaults, "defaults")
consistent(with_id, "clientId + createNamespace")

# Workload identity only when a client id is given.
sa = one(defaults, "ServiceAccount", "scalecore")
check("annotations" not in sa["metadata"], "no client-id annotation without a client id")
pod_labels = one(defaults, "Deployment")["spec"]["template"]["metadata"]["labels"]
check("azure.workload.identity/use" not in pod_labels, "no workload-identity pod label without a client id")
sa = one(with_id, "ServiceAccount", "scalecore")
check(sa["metadata"]["annotations"] == {"azure.workload.identity/client-id": CLIENT_ID}, "client-id annotation")
pod_labels = one(with_id, "Deployment")["spec"]["template"]["metadata"]["labels"]
check(pod_labels.get("azure.workload.identity/use") == "true", 'pod label azure.workload.identity/use: "true"')

# --- image, replicas, resources ---------------------------------------------------------------
docs = render({
    "image": {"repository": "registry.example/scalecore", "tag": "9.9.9", "pullPolicy": "Always"},
    "replicas": 3,
    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}},
    "imagePullSecrets": [{"name": "regcred"}],
    "extraArgs": ["--allowed-endpoint-suffix=servicebus.contoso.example"],
})
c = container(docs)
check(c["image"] == "registry.example/scalecore:9.9.9", f"image: {c['image']}")
check(c["imagePullPolicy"] == "Always", "pullPolicy")
check(one(docs, "Deployment")["spec"]["replicas"] == 3, "replicas")
check(c["resources"] == {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}}, "resources")
check(one(docs, "Deployment")["spec"]["template"]["spec"]["imagePullSecrets"] == [{"name": "regcred"}], "imagePullSecrets")
check(c["args"][-1] == "--allowed-endpoint-suffix=servicebus.contoso.example", "extraArgs")
with helm.Chart.load(CHART) as chart:
    app_version = chart.metadata["appVersion"]
# The repository is compared with deploy/ above; the tag follows the chart.
check(container(defaults)["image"].endswith(":" + app_version), f"default image tag: the chart's appVersion {app_version}")
consistent(docs, "image/replicas/resources")

# --- namespace scope --------------------------------------------------------------------------
cluster_rules = grants(rules_of(defaults))
docs = render({"watchNamespace": "team-a"})
check(container(docs)["args"][:5] == ["run", "--log-format", "json", "--namespace", "team-a"], f"--namespace team-a: {container(docs)['args']}")
role = one(docs, "Role", "scalecore")
check(role.get("metadata", {}).get("namespace") == "team-a", "the work Role is in the watched namespace")
check(not find(docs, "ClusterRole", "scalecore"), "no cluster-wide work ClusterRole")
cta = one(docs, "ClusterRole", "scalecore-cluster-trigger-authentications")
check(grants(cta.get("rules", [])) == {("keda.sh", "clustertriggerauthentications", v, None) for v in ("get", "list", "watch")},
      "cluster-wide: only ClusterTriggerAuthentications, read")
sec = one(docs, "Role", "scalecore-cluster-object-secrets")
check(sec.get("metadata", {}).get("namespace") == "keda"
      and grants(sec.get("rules", [])) == {("", "secrets", "get", None), ("", "configmaps", "get", None)},
      "Secrets and ConfigMaps get in clusterObjectNamespace")
check(grants(rules_of(docs)) == cluster_rules, "one namespace grants what the cluster scope grants, no more, no less")
consistent(docs, "watchNamespace")
docs = render({"watchNamespace": "keda"})
check(not find(docs, "Role", "scalecore-cluster-object-secrets"), "no extra Secrets Role when the watched namespace is clusterObjectNamespace")
consistent(docs, "watchNamespace = clusterObjectNamespace")

# --- dry run: one replica, no Lease, no write granted -----------------------------------------
docs = render({"dryRun": True})
check(one(docs, "Deployment")["spec"]["replicas"] == 1, "dry run: one replica")
check("--dry-run" in container(docs)["args"], "dry run: --dry-run")
writes = {g for g in grants(rules_of(docs)) if g[2] not in ("get", "list", "watch")}
check(not writes, f"dry run: no write granted, got {sorted(writes, key=str)}")
check(not find(docs, "Role", "scalecore-leader-election"), "dry run: no Lease Role")
read_only = {g for g in cluster_rules if g[2] in ("get", "list", "watch") and g[0] != "coordination.k8s.io"}
check(grants(rules_of(docs)) == read_only, "dry run: every read of the full run but the Lease's, still")
consistent(docs, "dryRun")

# --- another release name: names and the Lease follow ------------------------------------------
docs = render(name="prod", namespace="ops")
dep = one(docs, "Deployment", "prod-scalecore")
check(container(docs)["args"][3:5] == ["--lease-name", "prod-scalecore-leader"], f"release prod: own Lease, {container(docs)['args']}")
check(one(docs, "ClusterRoleBinding", "prod-scalecore")["subjects"][0]["namespace"] == "ops", "binding names the release namespace")
consistent(docs, "release prod in ops")

# --- metrics: Service, ServiceMonitor, PDB ----------------------------------------------------
docs = render({"metrics": {"serviceMonitor": {"enabled": True, "labels": {"release": "prometheus"}}}})
sm = one(docs, "ServiceMonitor", "scalecore")
check(sm.get("metadata", {}).get("labels", {}).get("release") == "prometheus", "ServiceMonitor labels")
consistent(docs, "serviceMonitor")
check(not find(defaults, "ServiceMonitor"), "no ServiceMonitor by default")
docs = render({"metrics": {"service": {"enabled": False}}, "podDisruptionBudget": {"enabled": False}, "networkPolicy": {"enabled": False}})
check(not find(docs, "Service") and not find(docs, "PodDisruptionBudget") and not find(docs, "NetworkPolicy"), "Service, PDB and NetworkPolicy can be left out")
docs = render({"metrics": {"port": 9090}})
c = container(docs)
check("--metrics-addr" in c["args"] and c["args"][c["args"].index("--metrics-addr") + 1] == "0.0.0.0:9090", "metrics.port passes --metrics-addr")
check(one(docs, "NetworkPolicy")["spec"]["ingress"][0]["ports"][0]["port"] == 9090, "NetworkPolicy admits the metrics port")
consistent(docs, "metrics.port")

# --- clear errors for bad values ----------------------------------------------------------------
for values, needle in (
    ({"metrics": {"serviceMonitor": {"enabled": True}, "service": {"enabled": False}}}, "needs metrics.service.enabled"),
    ({"logFormat": "xml"}, "/logFormat"),
    ({"replica": 3}, "'replica' not allowed"),
    ({"replicas": "three"}, "/replicas"),
    ({"workloadIdentity": {"clientID": "x"}}, "'clientID' not allowed"),
):
    try:
        render(values)
        check(False, f"{values} refused")
    except helm.HelmError as e:
        check(needle in str(e), f"{values} refused with a message naming it: {e}")

# --- scalecore lint on what the chart renders (and on the chart folder itself) ----------------
with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
    f.write("\n---\n".join(yaml.safe_dump(d) for d in with_id))
    f.flush()
    r = subprocess.run([SCALECORE, "lint", f.name], capture_output=True, text=True)
    check(r.returncode == 0, f"scalecore lint of the rendered chart exits 0: {r.returncode} {r.stdout} {r.stderr}")

if failures:
    print(f"\n{len(failures)} chart checks failed")
    sys.exit(1)
print("chart checks passed: defaults = deploy/scalecore.yaml (+ PDB, metrics Service), values, schemas, helm lint")
