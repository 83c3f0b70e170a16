#!/usr/bin/env python3
"""Writes tests/vectors/scalers/<type>.yaml for the AWS-family and other cloud scalers from
the parse tables of KEDA's own tests (pkg/scalers/<name>_scaler_test.go at v2.20.2), in the
format of tests/vectors/README.md: one ScaledObject per row, its resolved env in the scale
target's container, its auth params in a Secret read by a TriggerAuthentication that also
carries the row's pod identity, annotated with the row's origin and KEDA's verdict.

Go composite literals are read generically: a row's fields are named either in the row or by
the table's struct type; identifiers are resolved from the test file's const and var
declarations.

Usage: KEDA_REPO=/path/to/keda.git scripts/scaler-vectors-aws.py [type...]
"""
import json
import os
import re
import subprocess
import sys

REPO = os.environ.get('KEDA_REPO', '/work/.mirror/kedacore+keda/repo')
TAG = 'v2.20.2'
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'vectors', 'scalers')

# trigger type -> (test file, [tables])
TABLES = {
    'aws-sqs-queue': ('aws_sqs_queue_scaler_test.go', ['testAWSSQSMetadata']),
    'aws-dynamodb': ('aws_dynamodb_scaler_test.go', ['dynamoTestCases']),
    'aws-dynamodb-streams': ('aws_dynamodb_streams_scaler_test.go', ['testAwsDynamoDBStreamMetadata']),
    'aws-kinesis-stream': ('aws_kinesis_stream_scaler_test.go', ['testAWSKinesisMetadata']),
    'aws-cloudwatch': ('aws_cloudwatch_scaler_test.go', ['testAWSCloudwatchMetadata']),
    'huawei-cloudeye': ('huawei_cloudeye_scaler_test.go', ['testHuaweiCloudeyeMetadata']),
    # Azure storage, Event Hubs and Service Bus. A table given as (name, fields) has those
    # fields forced on every row: the test runs it with them whatever the row says.
    'azure-queue': ('azure_queue_scaler_test.go', ['testAzQueueMetadata']),
    'azure-blob': ('azure_blob_scaler_test.go', ['testAzBlobMetadata']),
    'azure-eventhub': ('azure_eventhub_scaler_test.go', [
        'parseEventHubMetadataDataset',
        ('parseEventHubMetadataDatasetWithPodIdentity',
         {'podIdentity': 'azure-workload', 'resolvedEnv': 'sampleEventHubResolvedEnv'})]),
    'azure-servicebus': ('azure_servicebus_scaler_test.go', [
        ('parseServiceBusMetadataDataset', {'resolvedEnv': 'sampleResolvedEnv'})]),
}

# Identifiers a test table uses that the scaler package declares outside the test file.
DECLARED_IN = {'azure_servicebus_scaler_test.go': ['rabbitmq_scaler.go']}

# Tests that pair a table of metadata with a table of auth params: every valid metadata row
# with every valid auth row builds; each invalid metadata row (with the first valid auth)
# and each invalid auth row (with the first valid metadata) does not.
# trigger type -> (test file, valid metadata, valid auth, invalid metadata, invalid auth)
COMBOS = {
    'openstack-metric': ('openstack_metrics_scaler_test.go', 'opentsackMetricMetadataTestData',
                         'openstackMetricAuthMetadataTestData', 'invalidOpenstackMetricMetadataTestData',
                         'invalidOpenstackMetricAuthMetadataTestData'),
    'openstack-swift': ('openstack_swift_scaler_test.go', 'openstackSwiftMetadataTestData',
                        'openstackSwiftAuthMetadataTestData', 'invalidOpenstackSwiftMetadataTestData',
                        'invalidOpenstackSwiftAuthMetadataTestData'),
}
FILES = [f for f, *_ in list(TABLES.values()) + list(COMBOS.values())]

PROVIDERS = {
    'PodIdentityProviderNone': 'none', 'PodIdentityProviderAws': 'aws',
    'PodIdentityProviderAwsEKS': 'aws-eks', 'PodIdentityProviderAzureWorkload': 'azure-workload',
    'PodIdentityProviderGCP': 'gcp',
}
METRIC_TYPES = {'AverageValueMetricType': 'AverageValue', 'ValueMetricType': 'Value',
                'UtilizationMetricType': 'Utilization'}
VERDICTS = ('isError', 'raisesError', 'expectedError', 'wantErr', 'expectErr', 'err', 'error')
NAMES = ('comment', 'name', 'testName', 'description')

TOKEN = re.compile(r'''\s*(?:(//[^\n]*|/\*.*?\*/)|("(?:\\.|[^"\\])*")|(`[^`]*`)|(:=|==|!=|<=|>=|&&|\|\||[{}()\[\],:;&*=+.]|[^\s\w"`])|([A-Za-z_]\w*)|(-?\d+(?:\.\d+)?))''', re.S)


def source(path):
    return subprocess.run(['git', '-C', REPO, 'show', f'{TAG}:{path}'],
                          capture_output=True, text=True, check=True).stdout


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


class IdKey(str):
    """A composite-literal key written as an identifier (a field, or a declared constant)."""


class Reader:
    def __init__(self, toks, names):
        self.t = [t for t in toks if t[0] != 'comment' or True]
        self.names = names

    def skip_balanced(self, k, open_, close):
        depth = 0
        while True:
            if self.t[k] == ('p', open_):
                depth += 1
            elif self.t[k] == ('p', close):
                depth -= 1
                if depth == 0:
                    return k + 1
            k += 1

    def skip_comments(self, k, notes=None):
        while self.t[k][0] == 'comment':
            if notes is not None:
                notes.append(self.t[k][1])
            k += 1
        return k

    def value(self, k):
        """A value starting at k: (python value, next index)."""
        k = self.skip_comments(k)
        t = self.t[k]
        if t == ('p', '&') or t == ('p', '*'):
            return self.value(k + 1)
        if t[0] in ('str', 'num'):
            v, k = t[1], k + 1
            while self.t[k] == ('p', '+'):
                w, k = self.value(k + 1)
                v = f'{v}{w}'
            return v, k
        if t == ('p', '{'):
            return self.composite(k)
        if t == ('p', '[') or t == ('id', 'map'):
            while self.t[k] != ('p', '{'):
                k += 1
            return self.composite(k)
        if t[0] == 'id':
            name = t[1]
            k += 1
            while self.t[k] == ('p', '.') and self.t[k + 1][0] == 'id':
                name = self.t[k + 1][1]
                k += 2
            if self.t[k] == ('p', '{'):
                v, k = self.composite(k)
                return v, k
            if self.t[k] == ('p', '('):
                end = self.skip_balanced(k, '(', ')')
                args = [x[1] for x in self.t[k:end] if x[0] == 'str']
                return ('call', name, args), end
            if name in ('true', 'false'):
                return name == 'true', k
            if name == 'nil':
                return None, k
            if name in self.names:
                return self.names[name], k
            return ('ident', name), k
        raise ValueError(t)

    def composite(self, k):
        """`{ ... }` at k: a list of (key or None, value, comment)."""
        assert self.t[k] == ('p', '{')
        k += 1
        items = []
        while True:
            notes = []
            k = self.skip_comments(k, notes)
            if self.t[k] == ('p', '}'):
                return ('lit', items), k + 1
            if self.t[k] == ('p', ','):
                k += 1
                continue
            key = None
            if self.t[k + 1] == ('p', ':') and self.t[k][0] in ('id', 'str', 'num'):
                key = (IdKey if self.t[k][0] == 'id' else str)(self.t[k][1])
                k += 2
            v, k = self.value(k)
            items.append((key, v, ' '.join(notes)))


def declarations(text, toks):
    """Identifiers of the file's `const`/`var` declarations (`name = value`)."""
    names = {}
    reader = Reader(toks, names)
    for i, t in enumerate(toks[:-2]):
        if t[0] == 'id' and toks[i + 1] == ('p', '=') and (i == 0 or toks[i - 1] != ('p', ':')):
            try:
                v, _ = reader.value(i + 2)
            except Exception:
                continue
            if isinstance(v, (str, bool)) or (isinstance(v, tuple) and v[0] == 'lit'):
                names.setdefault(t[1], v)
    return names


def struct_fields(text, type_name):
    m = re.search(r'type\s+' + re.escape(type_name) + r'\s+struct\s*\{(.*?)\n\}', text, re.S)
    if not m:
        return []
    return [line.split()[0] for line in m.group(1).splitlines()
            if line.strip() and not line.strip().startswith('//')]


# The declarations of the file being read: map literals may key by a declared constant.
DECLARED = {}


def as_map(v):
    if v is None:
        return {}
    if isinstance(v, str) and isinstance(DECLARED.get(v), tuple):
        v = DECLARED[v]
    if isinstance(v, tuple) and v[0] == 'lit':
        return {(DECLARED[k] if isinstance(k, IdKey) and isinstance(DECLARED.get(k), str) else k): (x if isinstance(x, str) else str(x))
                for k, x, _ in v[1]}
    raise ValueError(v)


def rows(file, table):
    text = source(f'pkg/scalers/{file}')
    toks = tokens(text)
    # Tables also use identifiers another test file of the package declares.
    names = {}
    for other in FILES:
        if other != file and other.startswith('aws'):
            other_text = source(f'pkg/scalers/{other}')
            names.update(declarations(other_text, tokens(other_text)))
    for other in DECLARED_IN.get(file, []):
        other_text = source(f'pkg/scalers/{other}')
        names.update(declarations(other_text, tokens(other_text)))
    names.update(declarations(text, toks))
    DECLARED.clear()
    DECLARED.update(names)
    m = re.search(r'var\s+' + re.escape(table) + r'\s*=\s*\[\]\*?(\w+)\s*\{', text)
    fields = struct_fields(text, m.group(1))
    start = None
    for i in range(len(toks) - 2):
        if toks[i] == ('id', table) and toks[i + 1] == ('p', '='):
            start = i + 2
            break
    body, _ = Reader(toks, names).value(start)
    out = []
    for _, row, note in body[1]:
        f = {}
        for i, (key, v, _) in enumerate(row[1]):
            f[key or fields[i]] = v
        out.append((note, f))
    return out


def q(s):
    return json.dumps(s, ensure_ascii=False)


def key(k):
    return k if re.fullmatch(r'[A-Za-z][A-Za-z0-9_]*', k) else q(k)


def mapping(m, indent):
    if not m:
        return ' {}\n'
    return '\n' + ''.join(f'{" " * indent}{key(k)}: {q(v)}\n' for k, v in m.items())


def identity(v):
    if not v:
        return {}
    if isinstance(v, str) or (isinstance(v, tuple) and v[0] == 'ident'):
        v = v[1] if isinstance(v, tuple) else v
        v = PROVIDERS.get(v, v)
        return {} if v == 'none' else {'provider': v}
    out = {}
    for k, x, _ in v[1]:
        if isinstance(x, tuple) and x[0] == 'ident':
            x = PROVIDERS.get(x[1], x[1])
        out[{'Provider': 'provider', 'RoleArn': 'roleArn', 'ExternalID': 'externalID',
             'IdentityOwner': 'identityOwner', 'IdentityID': 'identityId'}[k]] = x
    if out.get('provider') == 'none' and len(out) == 1:
        return {}
    return out


def verdict(f):
    if 'expect' in f:
        return f['expect']
    for name in VERDICTS:
        if name in f:
            v = f[name]
            return 'accept' if v in (False, None) else 'reject'
    raise KeyError(f'no verdict in {list(f)}')


def row_text(trigger, file, table, index, row, note, f):
    description = next((f[n] for n in NAMES if isinstance(f.get(n), str)), note)
    meta = as_map(f.get('metadata'))
    auth = as_map(f.get('authParams'))
    env = as_map(f.get('resolvedEnv'))
    ident = identity(f.get('podIdentity'))
    metric_type = f.get('metricType')
    if isinstance(metric_type, tuple):
        metric_type = METRIC_TYPES[metric_type[1]]
    name = f'row{row:03d}'
    ns = f'{trigger}-vectors'
    origin = f.get('origin') or f'pkg/scalers/{file} {table} row {index}'
    if description:
        origin += f' ({description})'
    out = [f'---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\n'
           f'spec:\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n'
           f'      labels:\n        app: {name}\n    spec:\n      containers:\n      - name: app\n'
           f'        image: registry.example.com/app:1.0.0\n']
    if env:
        out.append('        env:\n' + ''.join(f'        - name: {q(k)}\n          value: {q(v)}\n'
                                             for k, v in env.items()))
    if auth:
        out.append(f'---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: {ns}\n'
                   f'stringData:{mapping(auth, 2)}')
    if auth or ident:
        out.append(f'---\napiVersion: keda.sh/v1alpha1\nkind: TriggerAuthentication\nmetadata:\n'
                   f'  name: {name}\n  namespace: {ns}\nspec:\n')
        if ident:
            out.append('  podIdentity:' + mapping(ident, 4))
        if auth:
            out.append('  secretTargetRef:\n')
            for k in auth:
                out.append(f'  - parameter: {key(k)}\n    name: {name}\n    key: {key(k)}\n')
    out.append(f'---\napiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: {name}\n'
               f'  namespace: {ns}\n  annotations:\n    vectors.scalecore/origin: {q(origin)}\n'
               f'    vectors.scalecore/expect: {verdict(f)}\n'
               f'spec:\n  scaleTargetRef:\n    name: {name}\n  triggers:\n  - type: {trigger}\n')
    if metric_type:
        out.append(f'    metricType: {metric_type}\n')
    out.append(f'    metadata:{mapping(meta, 6)}')
    if auth or ident:
        out.append(f'    authenticationRef:\n      name: {name}\n')
    return ''.join(out)


def combo_rows(file, valid_meta, valid_auth, bad_meta, bad_auth):
    vm, va, bm, ba = (rows(file, t) for t in (valid_meta, valid_auth, bad_meta, bad_auth))
    out = []
    origin = lambda t, i, u, j: f'pkg/scalers/{file} {t} row {i} with {u} row {j}'
    for i, (note, m) in enumerate(vm):
        for j, (_, a) in enumerate(va):
            out.append((note, {'metadata': m['metadata'], 'authParams': a['authMetadata'],
                               'expect': 'accept', 'origin': origin(valid_meta, i, valid_auth, j)}))
    for i, (note, m) in enumerate(bm):
        out.append((note, {'metadata': m['metadata'], 'authParams': va[0][1]['authMetadata'],
                           'expect': 'reject', 'origin': origin(bad_meta, i, valid_auth, 0)}))
    for j, (note, a) in enumerate(ba):
        out.append((note, {'metadata': vm[0][1]['metadata'], 'authParams': a['authMetadata'],
                           'expect': 'reject', 'origin': origin(bad_auth, j, valid_meta, 0)}))
    return out


def main():
    wanted = sys.argv[1:] or list(TABLES) + list(COMBOS)
    for trigger in wanted:
        texts = []
        if trigger in COMBOS:
            file = COMBOS[trigger][0]
            for index, (note, f) in enumerate(combo_rows(*COMBOS[trigger])):
                texts.append(row_text(trigger, file, '', index, len(texts), note, f))
        else:
            file, tables = TABLES[trigger]
            for table in tables:
                table, forced = table if isinstance(table, tuple) else (table, {})
                for index, (note, f) in enumerate(rows(file, table)):
                    f.update(forced)
                    texts.append(row_text(trigger, file, table, index, len(texts), note, f))
        header = (f'# Parse tables of KEDA {TAG} pkg/scalers/{file}, one ScaledObject per row: the annotations\n'
                  '# name the row (table, index, the row\'s own comment) and KEDA\'s verdict (accept: the\n'
                  '# scaler is built; reject: building it fails). Each row\'s env is the scale target\'s\n'
                  '# container env, its auth params a Secret read by a TriggerAuthentication (with the\n'
                  '# row\'s pod identity, if any). Written by scripts/scaler-vectors-aws.py; replayed by\n'
                  '# core/tests/scaler_vectors.rs and, through tests/golden/lint.json, every binding.\n')
        with open(os.path.join(OUT, f'{trigger}.yaml'), 'w') as fh:
            fh.write(header + ''.join(texts))
        print(f'{trigger}: {len(texts)} rows', file=sys.stderr)


if __name__ == '__main__':
    main()
