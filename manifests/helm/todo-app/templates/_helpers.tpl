{{/*
Shared helpers. Components are "frontend", "backend", "postgresql" and "test"; helpers that
take one are called with (dict "root" $ "component" "frontend").
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "todo-app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The resource-name prefix: fullnameOverride, else the release name when it already contains the
chart name (release "todo-app" → "todo-app"), else "<release>-<chart>". At most 40 characters so
that "<prefix>-postgresql-headless" stays a valid 63-character DNS label.
*/}}
{{- define "todo-app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The name of a component's resources: "<fullname>-<component>". */}}
{{- define "todo-app.componentName" -}}
{{- printf "%s-%s" (include "todo-app.fullname" .root) .component }}
{{- end }}

{{/* "todo-app-0.1.0", for the helm.sh/chart label. */}}
{{- define "todo-app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The labels that select a component's pods (never change them: selectors are immutable). */}}
{{- define "todo-app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-app.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* The standard labels of every object of a component. */}}
{{- define "todo-app.labels" -}}
helm.sh/chart: {{ include "todo-app.chart" .root }}
{{ include "todo-app.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | replace "+" "_" | trunc 63 | quote }}
app.kubernetes.io/part-of: {{ include "todo-app.name" .root }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{/* The ServiceAccount the pods run as. */}}
{{- define "todo-app.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "todo-app.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
An image reference from an image block: repository:tag, or repository:tag@digest. The tag
defaults to the chart's appVersion. Called with (dict "root" $ "image" .Values.frontend.image).
*/}}
{{- define "todo-app.image" -}}
{{- $tag := default .root.Chart.AppVersion .image.tag | toString }}
{{- if .image.digest }}
{{- printf "%s:%s@%s" .image.repository $tag .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository $tag }}
{{- end }}
{{- end }}

{{/* The Secret the app pods read: secrets.existingSecret, or the one the chart creates. */}}
{{- define "todo-app.secretName" -}}
{{- default (printf "%s-secrets" (include "todo-app.fullname" .)) .Values.secrets.existingSecret }}
{{- end }}

{{/* The Secret holding the in-cluster PostgreSQL password, and its key. */}}
{{- define "todo-app.postgresql.secretName" -}}
{{- default (include "todo-app.componentName" (dict "root" . "component" "postgresql")) .Values.postgresql.auth.existingSecret }}
{{- end }}
{{- define "todo-app.postgresql.secretKey" -}}
{{- if .Values.postgresql.auth.existingSecret }}{{ .Values.postgresql.auth.existingSecretPasswordKey }}{{ else }}password{{ end }}
{{- end }}

{{/* The in-cluster DNS name of a component's Service. */}}
{{- define "todo-app.serviceHost" -}}
{{- printf "%s.%s.svc.%s" (include "todo-app.componentName" .) .root.Release.Namespace .root.Values.clusterDomain }}
{{- end }}

{{/* API_URL: where the Next.js server reaches the backend (its Service, inside the cluster). */}}
{{- define "todo-app.apiUrl" -}}
{{- if .Values.config.apiUrl }}
{{- .Values.config.apiUrl }}
{{- else }}
{{- printf "http://%s:%d" (include "todo-app.serviceHost" (dict "root" . "component" "backend")) (int .Values.backend.port) }}
{{- end }}
{{- end }}

{{/* PUBLIC_URL: the URL users open (https when the Ingress has TLS). */}}
{{- define "todo-app.publicUrl" -}}
{{- if .Values.config.publicUrl }}
{{- .Values.config.publicUrl }}
{{- else if .Values.ingress.tls }}
{{- printf "https://%s" .Values.ingress.host }}
{{- else }}
{{- printf "http://%s" .Values.ingress.host }}
{{- end }}
{{- end }}

{{/* Fails on combinations of values that cannot work; rendered once, from the ConfigMap. */}}
{{- define "todo-app.validate" -}}
{{- if and .Values.postgresql.enabled (not .Values.postgresql.auth.password) (not .Values.postgresql.auth.existingSecret) }}
{{- fail "postgresql.enabled needs a password and the chart ships none: set postgresql.auth.password (URL-safe, e.g. --set postgresql.auth.password=$(openssl rand -hex 24)) or postgresql.auth.existingSecret" }}
{{- end }}
{{- if and .Values.postgresql.enabled .Values.secrets.databaseUrl }}
{{- fail "secrets.databaseUrl and postgresql.enabled conflict: with the in-cluster PostgreSQL, DATABASE_URL points at it; unset one of them" }}
{{- end }}
{{- range $component := list "frontend" "backend" }}
{{- $values := index $.Values $component }}
{{- if and $values.autoscaling.enabled (gt (int $values.autoscaling.minReplicas) (int $values.autoscaling.maxReplicas)) }}
{{- fail (printf "%s.autoscaling.minReplicas (%d) is above maxReplicas (%d)" $component (int $values.autoscaling.minReplicas) (int $values.autoscaling.maxReplicas)) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The secret environment variables of a component, as valueFrom.secretKeyRef entries:
backend DATABASE_URL and OPENAI_API_KEY; frontend BETTER_AUTH_SECRET and (with
frontend.injectDatabaseUrl) DATABASE_URL. With secrets.existingSecret every key is read from
it; otherwise only the keys that were given a value (the chart's Secret holds only those).
With postgresql.enabled, DATABASE_URL is composed from the PostgreSQL Secret's password.
*/}}
{{- define "todo-app.secretEnv" -}}
{{- $root := .root }}
{{- $keys := list }}
{{- if eq .component "backend" }}
{{- $keys = list (list "DATABASE_URL" "databaseUrl") (list "OPENAI_API_KEY" "openaiApiKey") }}
{{- else }}
{{- $keys = list (list "BETTER_AUTH_SECRET" "betterAuthSecret") }}
{{- if $root.Values.frontend.injectDatabaseUrl }}
{{- $keys = append $keys (list "DATABASE_URL" "databaseUrl") }}
{{- end }}
{{- end }}
{{- range $keys }}
{{- $env := index . 0 }}
{{- $valueKey := index . 1 }}
{{- if and (eq $env "DATABASE_URL") $root.Values.postgresql.enabled }}
- name: POSTGRES_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "todo-app.postgresql.secretName" $root }}
      key: {{ include "todo-app.postgresql.secretKey" $root }}
- name: DATABASE_URL
  value: {{ printf "postgresql://%s:$(POSTGRES_PASSWORD)@%s:%d/%s" $root.Values.postgresql.auth.username (include "todo-app.serviceHost" (dict "root" $root "component" "postgresql")) (int $root.Values.postgresql.port) $root.Values.postgresql.auth.database | quote }}
{{- else if or $root.Values.secrets.existingSecret (index $root.Values.secrets $valueKey) }}
- name: {{ $env }}
  valueFrom:
    secretKeyRef:
      name: {{ include "todo-app.secretName" $root }}
      key: {{ $env }}
{{- end }}
{{- end }}
{{- end }}

{{/* Whether the chart creates the app Secret: values given and no existingSecret. */}}
{{- define "todo-app.createSecret" -}}
{{- if and (not .Values.secrets.existingSecret) (or .Values.secrets.databaseUrl .Values.secrets.openaiApiKey .Values.secrets.betterAuthSecret) }}true{{ end }}
{{- end }}

{{/* Whether any secret reaches the pods (NOTES warns otherwise). */}}
{{- define "todo-app.hasSecretSource" -}}
{{- if or .Values.secrets.existingSecret (include "todo-app.createSecret" .) }}true{{ end }}
{{- end }}

{{/* The hardened container securityContext. */}}
{{- define "todo-app.containerSecurityContext" -}}
{{- toYaml .Values.containerSecurityContext }}
{{- end }}

{{/* An int-or-string value (PDB budgets): integers bare, percentages quoted. */}}
{{- define "todo-app.intOrString" -}}
{{- if kindIs "string" . }}{{ quote . }}{{ else }}{{ int . }}{{ end }}
{{- end }}

{{/* The NetworkPolicy peer of the ingress controller: its namespace, optionally its pods. */}}
{{- define "todo-app.ingressControllerPeer" -}}
- namespaceSelector:
    matchLabels:
      {{- toYaml .Values.networkPolicy.ingressControllerNamespaceSelector | nindent 6 }}
  {{- with .Values.networkPolicy.ingressControllerPodSelector }}
  podSelector:
    matchLabels:
      {{- toYaml . | nindent 6 }}
  {{- end }}
{{- end }}
