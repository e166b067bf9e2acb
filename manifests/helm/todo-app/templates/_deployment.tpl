{{/*
The Deployment of an app component, shared by the frontend and the backend:
(dict "root" $ "component" "frontend"). Zero-downtime rollouts (surge 1, unavailable 0),
startup/liveness/readiness probes on the health path, bounded resources, a read-only root
filesystem with emptyDirs for the writable paths, a non-root numeric user with no
capabilities, soft anti-affinity and topology spread, and checksums of the ConfigMap and the
Secret so that a config or secret change rolls the pods.
*/}}
{{- define "todo-app.deployment" -}}
{{- $root := .root }}
{{- $component := .component }}
{{- $values := index $root.Values $component }}
{{- $ctx := dict "root" $root "component" $component }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "todo-app.componentName" $ctx }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "todo-app.labels" $ctx | nindent 4 }}
  annotations:
    # checkov's Kubernetes checks read this; the apps take their secrets from the environment.
    checkov.io/skip1: CKV_K8S_35=the apps read DATABASE_URL, OPENAI_API_KEY and BETTER_AUTH_SECRET from the environment (12-factor); they are injected by secretKeyRef, never inlined in the spec
spec:
  {{- if not $values.autoscaling.enabled }}
  replicas: {{ $values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "todo-app.selectorLabels" $ctx | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        {{- include "todo-app.labels" $ctx | nindent 8 }}
        {{- with $values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
        checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
        {{- with $values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "todo-app.serviceAccountName" $root }}
      automountServiceAccountToken: false
      enableServiceLinks: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      terminationGracePeriodSeconds: {{ $values.terminationGracePeriodSeconds }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      {{- if ne $values.podAntiAffinity "none" }}
      affinity:
        podAntiAffinity:
          {{- if eq $values.podAntiAffinity "required" }}
          requiredDuringSchedulingIgnoredDuringExecution:
            - topologyKey: kubernetes.io/hostname
              labelSelector:
                matchLabels:
                  {{- include "todo-app.selectorLabels" $ctx | nindent 18 }}
          {{- else }}
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    {{- include "todo-app.selectorLabels" $ctx | nindent 20 }}
          {{- end }}
      {{- end }}
      {{- if $values.topologySpread.enabled }}
      topologySpreadConstraints:
        {{- range $key := list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
        - maxSkew: {{ $values.topologySpread.maxSkew | default 1 }}
          topologyKey: {{ $key }}
          whenUnsatisfiable: {{ $values.topologySpread.whenUnsatisfiable | default "ScheduleAnyway" }}
          labelSelector:
            matchLabels:
              {{- include "todo-app.selectorLabels" $ctx | nindent 14 }}
          matchLabelKeys:
            - pod-template-hash
        {{- end }}
      {{- end }}
      {{- with $values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ $component }}
          image: {{ include "todo-app.image" (dict "root" $root "image" $values.image) | quote }}
          imagePullPolicy: {{ $values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ $values.port }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "todo-app.fullname" $root }}-config
          env:
            - name: PORT
              value: {{ $values.port | quote }}
            {{- if eq $component "frontend" }}
            # Next.js standalone binds to HOSTNAME; the pod IP must be reachable, not only localhost.
            - name: HOSTNAME
              value: "0.0.0.0"
            {{- end }}
            {{- with include "todo-app.secretEnv" $ctx }}
            {{- . | trim | nindent 12 }}
            {{- end }}
            {{- range $name, $value := $values.env }}
            - name: {{ $name }}
              value: {{ $value | toString | quote }}
            {{- end }}
          startupProbe:
            httpGet:
              path: {{ $values.healthPath }}
              port: http
            {{- toYaml $values.probes.startup | nindent 12 }}
          livenessProbe:
            httpGet:
              path: {{ $values.healthPath }}
              port: http
            {{- toYaml $values.probes.liveness | nindent 12 }}
          readinessProbe:
            httpGet:
              path: {{ $values.healthPath }}
              port: http
            {{- toYaml $values.probes.readiness | nindent 12 }}
          {{- if gt (int $values.preStopSleepSeconds) 0 }}
          lifecycle:
            preStop:
              sleep:
                seconds: {{ $values.preStopSleepSeconds }}
          {{- end }}
          resources:
            {{- toYaml $values.resources | nindent 12 }}
          securityContext:
            {{- include "todo-app.containerSecurityContext" $root | nindent 12 }}
          {{- with $values.writableDirs }}
          volumeMounts:
            {{- range . }}
            - name: {{ .name }}
              mountPath: {{ .mountPath }}
            {{- end }}
          {{- end }}
      {{- with $values.writableDirs }}
      volumes:
        {{- range . }}
        - name: {{ .name }}
          emptyDir:
            sizeLimit: {{ .sizeLimit }}
        {{- end }}
      {{- end }}
{{- end }}
