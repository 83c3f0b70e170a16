// A 200-line manifest for the keystroke benchmark: the seed's TriggerAuthentication and
// ScaledObject, repeated with distinct names (each repeat adds a CPU trigger and advanced HPA
// behaviour so the scaler and webhook rules have work), cut to exactly 200 lines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function manifest200(repo) {
  const seed = readFileSync(join(repo, 'examples/seed/keda.yaml'), 'utf8')
    .split('\n').filter((l) => !l.startsWith('#')).join('\n').trim();
  const docs = [];
  let lines = 0;
  for (let i = 0; lines < 200; i++) {
    const doc = seed.replaceAll('orders', `orders${i}`) + `
    - type: cpu
      metricType: Utilization
      metadata:
        value: "60"
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleDown:
          stabilizationWindowSeconds: 120`;
    docs.push(doc);
    lines = docs.join('\n---\n').split('\n').length;
  }
  return docs.join('\n---\n').split('\n').slice(0, 200).join('\n') + '\n';
}
