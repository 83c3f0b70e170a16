{{- define "scalecore.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's name when it already holds the chart's (a release named `scalecore` gives
objects named `scalecore`, as in deploy/), else RELEASE-scalecore. */}}
{{- define "scalecore.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "scalecore.selectorLabels" -}}
app.kubernetes.io/name: {{ include "scalecore.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "scalecore.labels" -}}
{{ include "scalecore.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "scalecore.serviceAccountName" -}}
{{- default (include "scalecore.fullname" .) .Values.serviceAccount.name }}
{{- end }}

{{- define "scalecore.leaseName" -}}
{{- printf "%s-leader" (include "scalecore.fullname" .) }}
{{- end }}

{{- define "scalecore.replicas" -}}
{{- if .Values.dryRun }}1{{ else }}{{ .Values.replicas }}{{ end }}
{{- end }}

{{/* The rules for ScaledObjects' own namespaces: a ClusterRole's when the whole cluster is
watched, a Role's in watchNamespace otherwise. Keep in step with deploy/scalecore.yaml. */}}
{{- define "scalecore.workRules" -}}
# KEDA's resources: watched, never written (except the ScaledObject's and ScaledJob's status).
- apiGroups: [keda.sh]
  resources: [scaledobjects, scaledjobs, triggerauthentications{{ if not .Values.watchNamespace }}, clustertriggerauthentications{{ end }}]
  verbs: [get, list, watch]
{{- if not .Values.dryRun }}
- apiGroups: [keda.sh]
  resources: [scaledobjects/status, scaledjobs/status]
  verbs: [patch, update]
{{- end }}
# ScaledJobs: their Jobs are listed by label, created from jobTargetRef, and deleted beyond
# the history limits (or when the ScaledJob's generation changes).
- apiGroups: [batch]
  resources: [jobs]
  verbs: {{ if .Values.dryRun }}[list]{{ else }}[list, create, delete]{{ end }}
# Scale targets: the workload is read for its containers' env (`env`, `...FromEnv`
# parameters), replicas are written only through /scale. Deployments and StatefulSets are
# also watched for their replica counts (without list/watch, /scale is read at every tick).
# Other targets (e.g. argoproj.io rollouts, or any CRD with a scale subresource) need
# `get` and the /scale rule for their group and resource.
- apiGroups: [apps]
  resources: [deployments, statefulsets]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [deployments/scale, statefulsets/scale]
  verbs: {{ if .Values.dryRun }}[get]{{ else }}[get, patch, update]{{ end }}
# Values of secretTargetRef/configMapTargetRef and of the target container's env
# (`valueFrom`, `envFrom`): read one by one by name, never listed.
- apiGroups: [""]
  resources: [secrets, configmaps]
  verbs: [get]
# A target already scaled by another HPA is refused, as KEDA's webhook does.
- apiGroups: [autoscaling]
  resources: [horizontalpodautoscalers]
  verbs: [list, watch]
# cpu/memory triggers: the target's pods (requests, readiness) and their usage from the
# metrics server, listed once per namespace per HPA sync; a ScaledJob's pods (pending Jobs).
- apiGroups: [""]
  resources: [pods]
  verbs: [list]
- apiGroups: [metrics.k8s.io]
  resources: [pods]
  verbs: [list]
{{- if not .Values.dryRun }}
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create, patch]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
{{- end }}
{{- end }}
