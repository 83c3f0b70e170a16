#!/usr/bin/env python3
"""Writes the benchmark streams of bench/compare.sh: N copies of the seed ScaledObject with
distinct names, and optionally with defects in 40 % of them (two documents in every five),
each defect one that people make, drawn in a fixed order so every run lints the same text.

    bench/streams.py N OUT [--defects]
"""

import sys

SEED = open("examples/seed/keda.yaml").read().split("\n---\n")
AUTH = SEED[0].split("apiVersion:", 1)[1]
SO = SEED[1]


def sub(old, new):
    """A defect that rewrites one line of the ScaledObject."""

    def apply(doc, i):
        assert old in doc, old
        return doc.replace(old, new, 1)

    return apply


def auth_without_identity(doc, i):
    # The TriggerAuthentication the ScaledObject names: azure-workload, no identityId.
    return "apiVersion:" + AUTH.replace("orders-sb-auth", f"orders-sb-auth-{i}")


# (what the defect is, the finding it is meant to draw)
DEFECTS = [
    # misspelt field (KEDA0108, "did you mean pollingInterval?")
    sub("  pollingInterval: 30", "  pollingIntervall: 30"),
    # a number where the CRD wants a string (KEDA0101)
    sub('messageCount: "5"', "messageCount: 5"),
    # minReplicaCount above maxReplicaCount (KEDA1004)
    sub("minReplicaCount: 0", "minReplicaCount: 12"),
    # unknown trigger type (KEDA2001)
    sub("type: azure-servicebus", "type: azure-servicebuss"),
    # required scaler metadata missing: no queueName nor topicName (KEDA2002)
    sub("        queueName: orders\n", ""),
    # azure-workload without identityId (KEDA4001)
    auth_without_identity,
    # minReplicaCount above 0 with pollingInterval and cooldownPeriod set (warnings)
    sub("minReplicaCount: 0", "minReplicaCount: 1"),
    # an object name that is not an RFC 1123 subdomain (KEDA0112)
    sub("  name: orders-worker\n  namespace", "  name: Orders_Worker\n  namespace"),
    # scaleTargetRef without its required name (KEDA0102)
    sub("  scaleTargetRef:\n    name: orders-worker\n", "  scaleTargetRef:\n    kind: Deployment\n"),
    # a metadata value the scaler cannot read as a number (KEDA2003)
    sub('messageCount: "5"', 'messageCount: "five"'),
]


def stream(n, defects):
    out = []
    bad = 0
    for i in range(n):
        doc = SO
        if defects and i % 5 in (1, 3):
            doc = DEFECTS[bad % len(DEFECTS)](doc, i)
            bad += 1
        out.append("---\n" + doc.replace("orders-worker", f"orders-worker-{i}")
                   .replace("Orders_Worker", f"Orders_Worker_{i}") + "\n")
    return "".join(out)


if __name__ == "__main__":
    n, path = int(sys.argv[1]), sys.argv[2]
    with open(path, "w") as f:
        f.write(stream(n, "--defects" in sys.argv[3:]))
