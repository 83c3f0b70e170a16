import json
import pathlib
from typing import Any, Dict

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden"


def load_golden(name: str) -> Dict[str, Any]:
    with open(GOLDEN / name, encoding="utf-8") as f:
        data: Dict[str, Any] = json.load(f)
    return data


@pytest.fixture(scope="session")
def repo() -> pathlib.Path:
    return REPO


SEED_SO = """\
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: orders-worker
  namespace: shop
spec:
  scaleTargetRef:
    name: orders-worker
  pollingInterval: 30
  cooldownPeriod: 300
  minReplicaCount: 0
  maxReplicaCount: 10
  triggers:
    - type: azure-servicebus
      name: orders
      metadata:
        namespace: contoso-sb
        queueName: orders
        messageCount: "5"
"""
