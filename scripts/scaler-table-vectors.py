#!/usr/bin/env python3
"""Writes tests/vectors/scalers/<type>.yaml from the parse tables of KEDA's own scaler tests
(pkg/scalers/<name>_scaler_test.go at v2.20.2), in that folder's format (its README): one
ScaledObject per row with the row's metadata and metricType, its auth params in a Secret read
through a TriggerAuthentication that also carries its pod identity, annotated with the row's
origin and KEDA's verdict.

Usage: KEDA_REPO=/path/to/keda.git scripts/scaler-table-vectors.py [trigger type...]
(with types given, only their files are written)
"""
import json
import os
import re
import subprocess
import sys

REPO = os.environ.get('KEDA_REPO', '/work/.mirror/kedacore+keda/repo')
TAG = 'v2.20.2'
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'vectors', 'scalers')

# (trigger type, test file, table, field names of its positional rows[, fields the test adds
# to every row])
TABLES = [
    ('prometheus', 'prometheus_scaler_test.go', 'testPromMetadata', ['metadata', 'isError']),
    ('prometheus', 'prometheus_scaler_test.go', 'testPrometheusAuthMetadata',
     ['metadata', 'authParams', 'podIdentityProvider', 'isError']),
    ('metrics-api', 'metrics_api_scaler_test.go', 'testMetricsAPIMetadata', ['metadata', 'raisesError']),
    ('metrics-api', 'metrics_api_scaler_test.go', 'testMetricsAPIAuthMetadata',
     ['metadata', 'authParams', 'isError']),
    ('datadog', 'datadog_scaler_test.go', 'testDatadogClusterAgentMetadata',
     ['metricType', 'metadata', 'authParams', 'isError']),
    ('datadog', 'datadog_scaler_test.go', 'testDatadogAPIMetadata',
     ['metricType', 'metadata', 'authParams', 'isError']),
    ('loki', 'loki_scaler_test.go', 'testLokiMetadata', ['metadata', 'isError']),
    ('loki', 'loki_scaler_test.go', 'testLokiAuthMetadata', ['metadata', 'authParams', 'isError']),
    ('arangodb', 'arangodb_scaler_test.go', 'testArangoDBMetadata',
     ['metadata', 'authParams', 'raisesError']),
    ('arangodb', 'arangodb_scaler_test.go', 'testArangoDBAuthMetadata',
     ['metadata', 'authParams', 'raisesError']),
    ('pulsar', 'pulsar_scaler_test.go', 'parsePulsarMetadataTestDataset',
     ['metadata', 'isError', 'isActive', 'isPartitionedTopic', 'adminURL', 'topic', 'subscription'],
     {'authParams': {'cert': 'certdata', 'key': 'keydata', 'ca': 'cadata'}}),
    ('pulsar', 'pulsar_scaler_test.go', 'parsePulsarMetadataTestAuthTLSDataset',
     ['metadata', 'authParams', 'isError', 'enableTLS', 'cert', 'key', 'ca', 'bearerToken', 'username',
      'password', 'enableOAuth', 'oauthTokenURI', 'scope', 'clientID', 'clientSecret', 'endpointParams',
      'expectedEndpointParams']),
    ('predictkube', 'predictkube_scaler_test.go', 'testPredictKubeMetadata',
     ['metadata', 'authParams', 'isError']),
    # elasticsearch, opensearch, elastic-forecast, solr, influxdb, kubernetes-resource
    ('elasticsearch', 'elasticsearch_scaler_test.go', 'testCases', []),
    ('opensearch', 'opensearch_scaler_test.go', 'TestParseOpensearchMetadata/tests', []),
    ('elastic-forecast', 'elastic_forecast_scaler_test.go', 'elasticForecastTestCases', []),
    ('solr', 'solr_scaler_test.go', 'testSolrMetadata', ['metadata', 'isError', 'authParams']),
    ('influxdb', 'influxdb_scaler_test.go', 'testInfluxDBMetadata', ['metadata', 'isError', 'authParams'],
     {'resolvedEnv': {'INFLUX_ORG': 'influx_org', 'INFLUX_TOKEN': 'myToken'}}),
    ('kubernetes-resource', 'kubernetes_resource_scaler_test.go', 'parseKubernetesResourceMetadataTestDataset',
     ['metadata', 'namespace', 'isError', 'errorMsg']),
    # dynatrace, new-relic, splunk, splunk-observability, sumologic, solarwinds, graphite
    ('dynatrace', 'dynatrace_scaler_test.go', 'testDynatraceMetadata', ['metadata', 'authParams', 'isError']),
    ('new-relic', 'newrelic_scaler_test.go', 'testNewRelicMetadata', ['metadata', 'authParams', 'isError']),
    ('splunk', 'splunk_scaler_test.go', 'testSplunkMetadata', ['metadata', 'authParams', 'isError']),
    ('splunk-observability', 'splunk_observability_scaler_test.go', 'testSplunkObservabilityMetadata',
     ['metadata', 'authParams', 'isError']),
    ('sumologic', 'sumologic_scaler_test.go', 'testSumologicMetadata', ['metadata', 'authParams', 'isError']),
    ('solarwinds', 'solarwinds_scaler_test.go', 'testSolarWindsMetadata',
     ['metadata', 'authParams', 'isError', 'description']),
    ('graphite', 'graphite_scaler_test.go', 'testGrapMetadata', ['metadata', 'isError']),
    ('graphite', 'graphite_scaler_test.go', 'testGraphiteAuthMetadata', ['metadata', 'authParams', 'isError']),
    # azure-monitor, azure-log-analytics, azure-app-insights, azure-data-explorer, azure-pipelines:
    # identifiers resolve through the test file's own consts, vars and maps (FILE_IDENTS); an
    # extra value ('ident', NAME) names one of them.
    ('azure-monitor', 'azure_monitor_scaler_test.go', 'testParseAzMonitorMetadata',
     ['metadata', 'isError', 'resolvedEnv', 'authParams', 'podIdentityProvider']),
    ('azure-log-analytics', 'azure_log_analytics_scaler_test.go', 'testLogAnalyticsMetadata',
     ['metadata', 'isError'], {'resolvedEnv': ('ident', 'sampleLogAnalyticsResolvedEnv')}),
    ('azure-log-analytics', 'azure_log_analytics_scaler_test.go', 'testLogAnalyticsMetadataWithEmptyAuthParams',
     ['metadata', 'isError'], {'resolvedEnv': ('ident', 'sampleLogAnalyticsResolvedEnv'),
                               'authParams': ('ident', 'emptyLogAnalyticsAuthParams')}),
    ('azure-log-analytics', 'azure_log_analytics_scaler_test.go', 'testLogAnalyticsMetadataWithAuthParams',
     ['metadata', 'isError'], {'resolvedEnv': ('ident', 'sampleLogAnalyticsResolvedEnv'),
                               'authParams': ('ident', 'LogAnalyticsAuthParams')}),
    ('azure-log-analytics', 'azure_log_analytics_scaler_test.go', 'testLogAnalyticsMetadataWithPodIdentity',
     ['metadata', 'isError'], {'resolvedEnv': ('ident', 'sampleLogAnalyticsResolvedEnv'),
                               'podIdentityProvider': 'azure-workload'}),
    ('azure-app-insights', 'azure_app_insights_scaler_test.go', 'azureAppInsightsScalerData',
     ['name', 'isError', 'config']),
    ('azure-data-explorer', 'azure_data_explorer_scaler_test.go', 'testDataExplorerMetadataWithClientAndSecret',
     ['metadata', 'authParams', 'isError']),
    ('azure-data-explorer', 'azure_data_explorer_scaler_test.go', 'testDataExplorerMetadataWithPodIdentity',
     ['metadata', 'authParams', 'isError'], {'podIdentityProvider': 'azure-workload'}),
    ('azure-pipelines', 'azure_pipelines_scaler_test.go', 'testAzurePipelinesMetadata',
     ['testName', 'metadata', 'isError', 'resolvedEnv', 'authParams']),
    # cron, cpu, memory (their parsers predate the modules; the same tables hold them to KEDA)
    ('cron', 'cron_scaler_test.go', 'testCronMetadata', ['metadata', 'isError']),
    ('cpu', 'cpu_memory_scaler_test.go', 'testCPUMemoryMetadata', ['metricType', 'metadata', 'isError']),
    ('memory', 'cpu_memory_scaler_test.go', 'testCPUMemoryMetadata', ['metricType', 'metadata', 'isError']),
]

# Identifiers the tables use for values, as the test files define them (a test server's
# address; a test token).
IDENTS = {
    'apiStub.URL': 'http://127.0.0.1:8080',
    'testAPIKey': 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJ0ZXN0IENyZWF0ZUNsaWVudCIsImV4cCI6MTY0NjkxNzI3Nywic3ViIjoiODM4NjY5ODAtM2UzNS0xMWVjLTlmMjQtYWNkZTQ4MDAxMTIyIn0.5QEuO6_ysdk2abGvk3Xp7Q25M4H4pIFXeqP2E7n9rKI',
}

# The test file being read (for CALLS).
CURRENT = ['']


def opensearch_base(overrides):
    # TestParseOpensearchMetadata's baseConfig: a valid map; an override of "" deletes the key.
    base = {'addresses': 'http://localhost:9200', 'username': 'admin', 'password': 'secret',
            'index': 'my-index', 'query': '{"query":{"match_all":{}}}',
            'valueLocation': 'hits.total.value', 'targetValue': '10'}
    for k, v in (overrides or {}).items():
        if v == '':
            base.pop(k, None)
        else:
            base[k] = v
    return base


# Helpers the tables call to build a row's metadata: (test file, function) -> Python twin.
CALLS = {
    ('opensearch_scaler_test.go', 'baseConfig'): opensearch_base,
}

METRIC_TYPES = {'v2.AverageValueMetricType': 'AverageValue', 'v2.ValueMetricType': 'Value',
                'v2.UtilizationMetricType': 'Utilization'}
POD_IDENTITIES = {'kedav1alpha1.PodIdentityProviderAzureWorkload': 'azure-workload',
                  'kedav1alpha1.PodIdentityProviderNone': 'none'}


def source(path):
    return subprocess.run(['git', '-C', REPO, 'show', f'{TAG}:{path}'],
                          capture_output=True, text=True, check=True).stdout


TOKEN = re.compile(r'''\s*(?:(//[^\n]*)|("(?:\\.|[^"\\])*")|(`[^`]*`)|([{}(),:\[\]&*])|([A-Za-z_][\w.]*)|(-?\d+(?:\.\d+)?))''')


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


# The current test file's top-level string consts/vars and map[string]string vars, by name.
FILE_IDENTS = {}
# Composite literals read as {field: value} (the others are skipped as before).
STRUCTS = ('scalersconfig.ScalerConfig', 'kedav1alpha1.AuthPodIdentity')


def ident_value(name):
    if name in IDENTS:
        return IDENTS[name]
    return FILE_IDENTS.get(name, ('ident', name))


def file_idents(text):
    out = {}
    for m in re.finditer(r'^\s*(?:var\s+|const\s+)?(\w+)\s*=\s*("(?:\\.|[^"\\])*")\s*$', text, re.M):
        out[m.group(1)] = json.loads(m.group(2))
    FILE_IDENTS.clear()
    FILE_IDENTS.update(out)
    for m in re.finditer(r'^var\s+(\w+)\s*=\s*map\[string\]string\s*\{', text, re.M):
        j, depth = m.end(), 1
        while depth:
            depth += {'{': 1, '}': -1}.get(text[j], 0)
            j += 1
        try:
            FILE_IDENTS[m.group(1)], _ = value(tokens('map[string]string{' + text[m.end():j]), 0)
        except (ValueError, KeyError, IndexError, AssertionError):
            pass


def value(toks, k):
    t = toks[k]
    if t == ('p', '&'):
        return value(toks, k + 1)
    if t[0] == 'id' and t[1] in STRUCTS and toks[k + 1] == ('p', '{'):
        k += 2
        out = {}
        while toks[k] != ('p', '}'):
            if toks[k][0] == 'comment' or toks[k] == ('p', ','):
                k += 1
                continue
            name = toks[k][1]
            out[name], k = value(toks, k + 2)
        return out, k + 1
    if t == ('id', 'kedav1alpha1.PodIdentityProvider') and toks[k + 1] == ('p', '('):
        return toks[k + 2][1], k + 4
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
            v, name = toks[k + 2], toks[k]
            name = ident_value(name[1]) if name[0] == 'id' else name[1]
            m[name] = ident_value(v[1]) if v[0] == 'id' else v[1]
            k += 3
        return m, k + 1
    if t[0] in ('str', 'num'):
        return t[1], k + 1
    if t == ('p', '&'):
        # &config{...}: the expected result, not an input.
        return value(toks, k + 1)
    if t == ('id', 'func'):
        # A check function: its parameters, then its body; not an input.
        k = skip_group(toks, k + 1, '(', ')')
        while toks[k] != ('p', '{'):
            k += 1
        return ('ident', 'func'), skip_group(toks, k, '{', '}')
    if t[0] == 'id' and k + 1 < len(toks) and toks[k + 1] == ('p', '('):
        # A call: a helper building metadata from the test's base map (CALLS), or an error
        # value (fmt.Errorf(...)), which only needs to be non-nil.
        end = skip_group(toks, k + 1, '(', ')')
        helper = CALLS.get((CURRENT[0], t[1]))
        if helper:
            arg, _ = value(toks, k + 2)
            return helper(arg), end
        return ('ident', t[1]), end
    if t[0] == 'id':
        if t[1] in ('true', 'false'):
            return t[1] == 'true', k + 1
        if t[1] == 'nil':
            return None, k + 1
        if t[1] in FILE_MAPS:
            return dict(FILE_MAPS[t[1]]), k + 1
        if t[1] in FILE_IDENTS:
            return FILE_IDENTS[t[1]], k + 1
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


def skip_group(toks, k, open_, close):
    depth = 0
    while True:
        depth += {('p', open_): 1, ('p', close): -1}.get(toks[k], 0)
        k += 1
        if depth == 0:
            return k


def local_body(text, where):
    """`Func/var`: the rows of `var := []struct{...}{...}` inside test function `Func`."""
    func, var = where.split('/')
    start = text.index(f'func {func}(')
    m = re.compile(re.escape(var) + r'\s*:=\s*\[\]struct\s*\{').search(text, start)
    j, depth = m.end(), 1
    while depth:
        depth += {'{': 1, '}': -1}.get(text[j], 0)
        j += 1
    return literal_body('var _t = []t' + text[j:], '_t')


# The test file's `var name = map[string]string{...}` values, which rows may name.
FILE_MAPS = {}


def file_maps(text):
    out = {}
    for m in re.finditer(r'var\s+(\w+)\s*=\s*map\[string\]string\s*\{', text):
        try:
            body = text[m.end():text.index('\n}', m.end())]
            out[m.group(1)], _ = value(tokens('map[string]string{' + body + '}'), 0)
        except (ValueError, KeyError, AssertionError):
            pass
    return out


def rows(path, var, order):
    text = source(path)
    # Constants first: the maps may name them.
    file_idents(text)
    FILE_MAPS.clear()
    FILE_MAPS.update(file_maps(text))
    toks = tokens(local_body(text, var) if '/' in var else literal_body(text, var))
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


def flatten(f, description):
    """A row carrying a whole ScalerConfig (or its AuthPodIdentity) as the fields above."""
    config = f.pop('config', None) or {}
    for go, ours in (('TriggerMetadata', 'metadata'), ('AuthParams', 'authParams'),
                     ('ResolvedEnv', 'resolvedEnv'), ('PodIdentity', 'podIdentityProvider')):
        if go in config:
            f[ours] = config[go]
    for k, v in list(f.items()):
        if isinstance(v, tuple) and v[0] == 'ident' and v[1] in FILE_IDENTS:
            f[k] = FILE_IDENTS[v[1]]
    identity = f.get('podIdentityProvider')
    if isinstance(identity, dict):
        f['podIdentityProvider'] = identity.get('Provider') or ''
        f['podIdentityFields'] = {k[0].lower() + k[1:]: v for k, v in identity.items()
                                  if k in ('IdentityID', 'IdentityTenantID') and isinstance(v, str)}
        f['podIdentityFields'] = {k.replace('ID', 'Id'): v for k, v in f['podIdentityFields'].items()}
    description = description or f.get('name') or f.get('testName') or ''
    return description


def row_text(trigger, file, table, index, row, description, f):
    description = description or (f.get('name') if isinstance(f.get('name'), str) else '')
    description = flatten(f, description)
    refused = f.get('isError', f.get('raisesError', f.get('wantErr')))
    if 'expectedError' in f:
        refused = f['expectedError'] is not None
    meta = f.get('metadata') or {}
    auth = f.get('authParams')
    identity = f.get('podIdentityProvider') or ''
    if isinstance(identity, tuple):
        identity = POD_IDENTITIES[identity[1]]
    metric_type = f.get('metricType') or ''
    if isinstance(metric_type, tuple):
        metric_type = METRIC_TYPES[metric_type[1]]
    name = f'row{row:03d}'
    ns = f'{trigger}-vectors'
    origin = f'pkg/scalers/{file} {table} row {index}' + (f' ({description})' if description else '')
    out = []
    env = f.get('resolvedEnv')
    if isinstance(env, dict) and env:
        out.append(f'---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\n'
                   f'spec:\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n'
                   f'      labels:\n        app: {name}\n    spec:\n      containers:\n      - name: app\n'
                   f'        image: registry.example.com/app:1.0.0\n        env:\n'
                   + ''.join(f'        - name: {q(k)}\n          value: {q(v)}\n' for k, v in env.items()))
    if auth:
        out.append(f'---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: {ns}\n'
                   f'stringData:{mapping(auth, 2)}')
    if auth or identity:
        out.append(f'---\napiVersion: keda.sh/v1alpha1\nkind: TriggerAuthentication\nmetadata:\n'
                   f'  name: {name}\n  namespace: {ns}\nspec:\n')
        if identity:
            out.append(f'  podIdentity:\n    provider: {identity}\n')
            for k, v in (f.get('podIdentityFields') or {}).items():
                out.append(f'    {k}: {q(v)}\n')
        if auth:
            out.append('  secretTargetRef:\n')
            for k in auth:
                out.append(f'  - parameter: {key(k)}\n    name: {name}\n    key: {key(k)}\n')
    out.append(f'---\napiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: {name}\n'
               f'  namespace: {ns}\n  annotations:\n    vectors.scalecore/origin: {q(origin)}\n'
               f'    vectors.scalecore/expect: {"reject" if refused else "accept"}\n'
               f'spec:\n  scaleTargetRef:\n    name: {name}\n  triggers:\n  - type: {trigger}\n')
    if metric_type:
        out.append(f'    metricType: {metric_type}\n')
    out.append(f'    metadata:{mapping(meta, 6)}')
    if auth or identity:
        out.append(f'    authenticationRef:\n      name: {name}\n')
    return ''.join(out)


def main():
    files = {}
    only = set(sys.argv[1:])
    for trigger, file, table, order, *extra in TABLES:
        if only and trigger not in only:
            continue
        CURRENT[0] = file
        rows_out = files.setdefault(trigger, (file, []))[1]
        for index, (description, fields) in enumerate(rows(f'pkg/scalers/{file}', table, order)):
            for k, v in (extra[0] if extra else {}).items():
                fields.setdefault(k, v)
            rows_out.append(row_text(trigger, file, table, index, len(rows_out), description, fields))
    for trigger, (file, texts) in files.items():
        header = (f'# Parse tables of KEDA {TAG} pkg/scalers/{file}, one ScaledObject per row: the annotations\n'
                  '# name the row (table, index, the row\'s own comment) and KEDA\'s verdict (accept: the\n'
                  '# scaler is built; reject: building it fails). Each row\'s auth params are a Secret read by\n'
                  '# a TriggerAuthentication (with its pod identity, if any). Written by\n'
                  '# scripts/scaler-table-vectors.py; replayed by core/tests/scaler_vectors.rs and, through\n'
                  '# tests/golden/lint.json, every binding.\n')
        with open(os.path.join(OUT, f'{trigger}.yaml'), 'w') as fh:
            fh.write(header + ''.join(texts))
        print(f'{trigger}: {len(texts)} rows', file=sys.stderr)


if __name__ == '__main__':
    main()
