//! The manifests of KEDA's documentation (`tests/corpus/keda-docs`).

use super::{diags, repo_root, yaml_files};

/// Schema findings on the manifests of KEDA's own documentation. Each one was read and
/// judged: a field the CRD lacks, a value of the wrong type, or a placeholder. The pages whose
/// YAML holds unquoted Go template actions (`{{.SecretName}}`: github-runner--03 and --04,
/// prometheus--09) are templates, with one KEDA0009 note and no schema findings.
const CORPUS_FINDINGS: &[(&str, &str, &str)] = &[
    ("authentication--01.yaml", "KEDA0101", "metadata.name"),
    (
        "authentication--01.yaml",
        "KEDA0101",
        "spec.scaleTargetRef.name",
    ),
    (
        "authentication--01.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.host",
    ),
    ("authentication--02.yaml", "KEDA0101", "metadata.name"),
    (
        "authentication--02.yaml",
        "KEDA0103",
        "spec.podIdentity.provider",
    ),
    (
        "authentication--02.yaml",
        "KEDA0103",
        "spec.podIdentity.identityOwner",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.secretTargetRef[0].parameter",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.secretTargetRef[0].name",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.secretTargetRef[0].key",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.env[0].parameter",
    ),
    ("authentication--02.yaml", "KEDA0101", "spec.env[0].name"),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.env[0].containerName",
    ),
    ("authentication--02.yaml", "KEDA0101", "spec.filePath"),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.address",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.namespace",
    ),
    (
        "authentication--02.yaml",
        "KEDA0103",
        "spec.hashiCorpVault.authentication",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.role",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.mount",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.credential.token",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.credential.serviceAccount",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.secrets[0].parameter",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.secrets[0].key",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.secrets[0].path",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.vaultUri",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.credentials.clientId",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.credentials.clientSecret.valueFrom.secretKeyRef.name",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.credentials.clientSecret.valueFrom.secretKeyRef.key",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.credentials.tenantId",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.cloud.keyVaultResourceURL",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.cloud.activeDirectoryEndpoint",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.secrets[0].parameter",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.secrets[0].name",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.secrets[0].version",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.awsSecretManager.credentials.accessKey.valueFrom.secretKeyRef.name",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.awsSecretManager.credentials.accessSecretKey.valueFrom.secretKeyRef.name",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.awsSecretManager.region",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.awsSecretManager.secrets[0].parameter",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.awsSecretManager.secrets[0].name",
    ),
    (
        "authentication--02.yaml",
        "KEDA0108",
        "spec.awsSecretManager.secrets[0].version",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.awsSecretManager.secrets[0].secretKey",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.gcpSecretManager.secrets[0].parameter",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.gcpSecretManager.secrets[0].id",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.gcpSecretManager.secrets[0].version",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.gcpSecretManager.credentials.clientSecret.valueFrom.secretKeyRef.name",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.gcpSecretManager.credentials.clientSecret.valueFrom.secretKeyRef.key",
    ),
    ("authentication--05.yaml", "KEDA0101", "metadata.name"),
    ("authentication--05.yaml", "KEDA0102", ""),
    ("aws--04.yaml", "KEDA0102", "spec.podIdentity"),
    (
        "aws-sqs--05.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.scaleOnInFlight",
    ),
    ("azure-event-hub--02.yaml", "KEDA0112", "metadata.name"),
    ("cloud-events--04.yaml", "KEDA0112", "metadata.name"),
    (
        "external-push--02.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.unsafeSsl",
    ),
    ("file-path--01.yaml", "KEDA0101", "spec.filePath"),
    ("hashicorp-vault--02.yaml", "KEDA0101", "metadata.name"),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.address",
    ),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.credential.token",
    ),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.secrets[0].path",
    ),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0108",
        "spec.hashiCorpVault.secrets[0].pki_data",
    ),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.secrets[1].path",
    ),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0108",
        "spec.hashiCorpVault.secrets[1].pki_data",
    ),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.secrets[2].path",
    ),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0108",
        "spec.hashiCorpVault.secrets[2].pki_data",
    ),
    ("hashicorp-vault--02.yaml", "KEDA0101", "metadata.name"),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0101",
        "spec.scaleTargetRef.name",
    ),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0101",
        "spec.triggers[0].authenticationRef.name",
    ),
    ("migration--02.yaml", "KEDA0101", "metadata.name"),
    ("migration--02.yaml", "KEDA0101", "spec.scaleTargetRef.name"),
    (
        "migration--02.yaml",
        "KEDA0101",
        "spec.scaleTargetRef.envSourceContainerName",
    ),
    ("migration--02.yaml", "KEDA0102", "spec"),
    ("migration--04.yaml", "KEDA0101", "metadata.name"),
    ("migration--04.yaml", "KEDA0102", "spec.jobTargetRef"),
    ("migration--04.yaml", "KEDA0102", "spec"),
    (
        "mssql--03.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.targetValue",
    ),
    (
        "mssql--04.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.targetValue",
    ),
    (
        "openstack-metric--02.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.granularity",
    ),
    (
        "openstack-metric--02.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.threshold",
    ),
    (
        "openstack-metric--02.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.timeout",
    ),
    (
        "postgresql--03.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.targetQueryValue",
    ),
    (
        "postgresql--04.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.targetQueryValue",
    ),
    (
        "pulsar--02.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.isPartitionedTopic",
    ),
    (
        "rabbitmq-queue--11.yaml",
        "KEDA0101",
        "spec.advanced.scalingModifiers.target",
    ),
    ("scaledjob-spec--01.yaml", "KEDA0101", "metadata.name"),
    (
        "scaledjob-spec--01.yaml",
        "KEDA0101",
        "metadata.labels.my-label",
    ),
    (
        "scaledjob-spec--01.yaml",
        "KEDA0101",
        "metadata.annotations[autoscaling.keda.sh/paused]",
    ),
    (
        "scaledjob-spec--01.yaml",
        "KEDA0101",
        "metadata.annotations.my-annotation",
    ),
    ("scaledjob-spec--01.yaml", "KEDA0102", "spec.jobTargetRef"),
    (
        "scaledjob-spec--01.yaml",
        "KEDA0101",
        "spec.envSourceContainerName",
    ),
    ("scaledjob-spec--01.yaml", "KEDA0102", "spec"),
    ("scaledobject-spec--01.yaml", "KEDA0101", "metadata.name"),
    (
        "scaledobject-spec--01.yaml",
        "KEDA0101",
        "spec.scaleTargetRef.apiVersion",
    ),
    (
        "scaledobject-spec--01.yaml",
        "KEDA0101",
        "spec.scaleTargetRef.kind",
    ),
    (
        "scaledobject-spec--01.yaml",
        "KEDA0101",
        "spec.scaleTargetRef.name",
    ),
    (
        "scaledobject-spec--01.yaml",
        "KEDA0101",
        "spec.scaleTargetRef.envSourceContainerName",
    ),
    (
        "scaledobject-spec--01.yaml",
        "KEDA0101",
        "spec.fallback.behavior",
    ),
    (
        "scaledobject-spec--01.yaml",
        "KEDA0101",
        "spec.advanced.restoreToOriginalReplicaCount",
    ),
    (
        "scaledobject-spec--01.yaml",
        "KEDA0101",
        "spec.advanced.horizontalPodAutoscalerConfig.name",
    ),
    ("scaledobject-spec--01.yaml", "KEDA0102", "spec"),
    (
        "selenium-grid-scaler--08.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.nodeMaxSessions",
    ),
];

#[test]
fn keda_docs_corpus() {
    let dir = repo_root().join("tests/corpus/keda-docs");
    let mut found = Vec::new();
    for path in yaml_files(&dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for d in diags(&text) {
            eprintln!(
                "{name}:{}:{} {} {} {}",
                d.line, d.column, d.code, d.path, d.message
            );
            found.push((name.clone(), d.code.clone(), d.path.clone()));
        }
    }
    let expected: Vec<(String, String, String)> = CORPUS_FINDINGS
        .iter()
        .map(|(f, c, p)| ((*f).to_owned(), (*c).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(found, expected);
}
