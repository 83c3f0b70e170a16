#!/usr/bin/env python3
"""Writes tests/vectors/validation cases from the parse tables of KEDA's own scaler tests
(pkg/scalers/<name>_scaler_test.go at v2.20.2): one case per row, the row's metadata on a
ScaledObject trigger, its auth params in a Secret read through a TriggerAuthentication, its
pod identity on that authentication, its metricType on the trigger. A row KEDA accepts is
`reason: ok`; a row it refuses is admitted and then fails when the scaler is built
(`reason: ok:runtime-error-scaler-build`).

Usage: KEDA_REPO=/path/to/keda.git scripts/scaler-table-vectors.py
"""
import json
import os
import re
import subprocess
import sys

REPO = os.environ.get('KEDA_REPO', '/work/.mirror/kedacore+keda/repo')
TAG = 'v2.20.2'
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'vectors', 'validation')

# (first case number, trigger type, test file, table, field names of its positional rows[,
# fields the test adds to every row])
TABLES = [
    (400, 'prometheus', 'prometheus_scaler_test.go', 'testPromMetadata', ['metadata', 'isError']),
    (420, 'prometheus', 'prometheus_scaler_test.go', 'testPrometheusAuthMetadata',
     ['metadata', 'authParams', 'podIdentityProvider', 'isError']),
    (440, 'metrics-api', 'metrics_api_scaler_test.go', 'testMetricsAPIMetadata', ['metadata', 'raisesError']),
    (450, 'metrics-api', 'metrics_api_scaler_test.go', 'testMetricsAPIAuthMetadata',
     ['metadata', 'authParams', 'isError']),
    (470, 'datadog', 'datadog_scaler_test.go', 'testDatadogClusterAgentMetadata',
     ['metricType', 'metadata', 'authParams', 'isError']),
    (491, 'datadog', 'datadog_scaler_test.go', 'testDatadogAPIMetadata',
     ['metricType', 'metadata', 'authParams', 'isError']),
    (530, 'loki', 'loki_scaler_test.go', 'testLokiMetadata', ['metadata', 'isError']),
    (545, 'loki', 'loki_scaler_test.go', 'testLokiAuthMetadata', ['metadata', 'authParams', 'isError']),
    (550, 'arangodb', 'arangodb_scaler_test.go', 'testArangoDBMetadata',
     ['metadata', 'authParams', 'raisesError']),
    (560, 'arangodb', 'arangodb_scaler_test.go', 'testArangoDBAuthMetadata',
     ['metadata', 'authParams', 'raisesError']),
    (570, 'pulsar', 'pulsar_scaler_test.go', 'parsePulsarMetadataTestDataset',
     ['metadata', 'isError', 'isActive', 'isPartitionedTopic', 'adminURL', 'topic', 'subscription'],
     {'authParams': {'cert': 'certdata', 'key': 'keydata', 'ca': 'cadata'}}),
    (585, 'pulsar', 'pulsar_scaler_test.go', 'parsePulsarMetadataTestAuthTLSDataset',
     ['metadata', 'authParams', 'isError', 'enableTLS', 'cert', 'key', 'ca', 'bearerToken', 'username',
      'password', 'enableOAuth', 'oauthTokenURI', 'scope', 'clientID', 'clientSecret', 'endpointParams',
      'expectedEndpointParams']),
    (605, 'predictkube', 'predictkube_scaler_test.go', 'testPredictKubeMetadata',
     ['metadata', 'authParams', 'isError']),
]

# Identifiers the tables use for values, as the test files define them (a test server's
# address; a test token).
IDENTS = {
    'apiStub.URL': 'http://127.0.0.1:8080',
    'testAPIKey': 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJ0ZXN0IENyZWF0ZUNsaWVudCIsImV4cCI6MTY0NjkxNzI3Nywic3ViIjoiODM4NjY5ODAtM2UzNS0xMWVjLTlmMjQtYWNkZTQ4MDAxMTIyIn0.5QEuO6_ysdk2abGvk3Xp7Q25M4H4pIFXeqP2E7n9rKI',
}

METRIC_TYPES = {'v2.AverageValueMetricType': 'AverageValue', 'v2.ValueMetricType': 'Value',
                'v2.UtilizationMetricType': 'Utilization'}
POD_IDENTITIES = {'kedav1alpha1.PodIdentityProviderAzureWorkload': 'azure-workload',
                  'kedav1alpha1.PodIdentityProviderNone': 'none'}


def source(path):
    return subprocess.run(['git', '-C', REPO, 'show', f'{TAG}:{path}'],
                          capture_output=True, text=True, check=True).stdout


TOKEN = re.compile(r'''\s*(?:(//[^\n]*)|("(?:\\.|[^"\\])*")|(`[^`]*`)|([{}(),:\[\]&])|([A-Za-z_][\w.]*)|(-?\d+(?:\.\d+)?))''')


def tokens(text):
    pos, out = 0, []
    while text[pos:].strip():
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(text[pos:pos + 40])
        pos = m.end()
        c, s, raw, p, ident, num = m.groups()
        if c is not None:
            out.append(('comment', c[2:].strip()))
        elif s is not None:
            out.append(('str', json.loads(s)))
        elif raw is not None:
            out.append(('str', raw[1:-1]))
        elif p is not None:
            out.append(('p', p))
        elif ident is not None:
            out.append(('id', ident))
        else:
            out.append(('num', num))
    return out


def literal_body(text, var):
    start = re.search(r'var\s+' + re.escape(var) + r'\s*=\s*\[\][\w.]+\s*\{', text)
    if not start:
        raise KeyError(var)
    i = j = start.end()
    depth = 1
    while depth:
        c = text[j]
        if c == '"':
            j += 1
            while text[j] != '"':
                j += 2 if text[j] == '\\' else 1
        elif c == '`':
            j = text.index('`', j + 1)
        elif text.startswith('//', j):
            j = text.index('\n', j)
        elif c == '{':
            depth += 1
        elif c == '}':
            depth -= 1
        j += 1
    return text[i:j - 1]


def value(toks, k):
    t = toks[k]
    if t == ('id', 'map'):
        while toks[k] != ('p', '{'):
            k += 1
        k += 1
        m = {}
        while toks[k] != ('p', '}'):
            if toks[k][0] == 'comment' or toks[k] == ('p', ','):
                k += 1
                continue
            assert toks[k + 1] == ('p', ':'), toks[k:k + 3]
            v = toks[k + 2]
            m[toks[k][1]] = IDENTS[v[1]] if v[0] == 'id' else v[1]
            k += 3
        return m, k + 1
    if t[0] in ('str', 'num'):
        return t[1], k + 1
    if t[0] == 'id':
        if t[1] in ('true', 'false'):
            return t[1] == 'true', k + 1
        if t[1] == 'nil':
            return None, k + 1
        if k + 1 < len(toks) and toks[k + 1] == ('p', '{'):
            # Another composite literal (url.Values{...}): not an input, skipped.
            depth, k = 0, k + 1
            while True:
                depth += {('p', '{'): 1, ('p', '}'): -1}.get(toks[k], 0)
                k += 1
                if depth == 0:
                    return ('ident', t[1]), k
        return ('ident', t[1]), k + 1
    raise ValueError(t)


def rows(path, var, order):
    toks = tokens(literal_body(source(path), var))
    out, comment, k = [], [], 0
    while k < len(toks):
        t = toks[k]
        if t[0] == 'comment':
            comment.append(t[1])
            k += 1
        elif t == ('p', ','):
            k += 1
        elif t == ('p', '{'):
            k += 1
            fields = {}
            i = 0
            while toks[k] != ('p', '}'):
                if toks[k][0] == 'comment' or toks[k] == ('p', ','):
                    k += 1
                    continue
                name = None
                if toks[k][0] == 'id' and toks[k + 1] == ('p', ':'):
                    name = toks[k][1]
                    k += 2
                v, k = value(toks, k)
                fields[name or order[i]] = v
                i += 1
            k += 1
            out.append((' '.join(comment), fields))
            comment = []
        else:
            raise ValueError(t)
    return out


def q(s):
    return json.dumps(s, ensure_ascii=False)


def mapping(m, indent):
    if not m:
        return ' {}\n'
    return '\n' + ''.join(f'{" " * indent}{key(k)}: {q(v)}\n' for k, v in m.items())


def key(k):
    return k if re.fullmatch(r'[A-Za-z][A-Za-z0-9_]*', k) else q(k)


def case_text(n, trigger, file, table, row, description, f):
    refused = f.get('isError', f.get('raisesError'))
    meta = f.get('metadata') or {}
    auth = f.get('authParams')
    identity = f.get('podIdentityProvider') or ''
    if isinstance(identity, tuple):
        identity = POD_IDENTITIES[identity[1]]
    metric_type = f.get('metricType') or ''
    if isinstance(metric_type, tuple):
        metric_type = METRIC_TYPES[metric_type[1]]
    name = f'{trigger}-{row}'
    what = description or ('refused' if refused else 'accepted')
    out = [
        f'case: {q(f"{trigger} {table} row {row}: {what}")}\n',
        'expect: accept\n',
        f'reason: {"ok:runtime-error-scaler-build" if refused else "ok"}\n',
        f'source: {q(f"pkg/scalers/{file}, table {table}, row {row} (KEDA {TAG})")}\n',
    ]
    auth_ref = ''
    if auth or identity:
        out.append('---\n')
        if auth:
            out.append(f'apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: demo\n'
                       f'stringData:{mapping(auth, 2)}---\n')
        out.append(f'apiVersion: keda.sh/v1alpha1\nkind: TriggerAuthentication\nmetadata:\n'
                   f'  name: {name}\n  namespace: demo\nspec:\n')
        if identity:
            out.append(f'  podIdentity:\n    provider: {identity}\n')
        if auth:
            out.append('  secretTargetRef:\n')
            for k in auth:
                out.append(f'  - parameter: {key(k)}\n    name: {name}\n    key: {key(k)}\n')
        auth_ref = f'    authenticationRef:\n      name: {name}\n'
    out.append('---\n')
    out.append(f'apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: {name}\n'
               f'  namespace: demo\nspec:\n  scaleTargetRef:\n    name: app\n  triggers:\n'
               f'  - type: {trigger}\n')
    if metric_type:
        out.append(f'    metricType: {metric_type}\n')
    out.append(f'    metadata:{mapping(meta, 6)}')
    out.append(auth_ref)
    return ''.join(out)


def main():
    written = 0
    for base, trigger, file, table, order, *extra in TABLES:
        for row, (description, fields) in enumerate(rows(f'pkg/scalers/{file}', table, order)):
            for k, v in (extra[0] if extra else {}).items():
                fields.setdefault(k, v)
            n = base + row
            path = os.path.join(OUT, f'{n:03d}-{trigger}-{table}-{row:02d}.yaml')
            with open(path, 'w') as fh:
                fh.write(case_text(n, trigger, file, table, row, description, fields))
            written += 1
    print(f'{written} cases', file=sys.stderr)


if __name__ == '__main__':
    main()
