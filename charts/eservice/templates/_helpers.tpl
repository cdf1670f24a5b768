{{/* Names, labels and the pod parts that web, worker and the migration Job share. */}}

{{- define "eservice.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "eservice.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "eservice.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels of one component: (dict "root" $ "component" "web") */}}
{{- define "eservice.selectorLabels" -}}
app.kubernetes.io/name: {{ include "eservice.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "eservice.labels" -}}
helm.sh/chart: {{ include "eservice.chart" .root }}
{{ include "eservice.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: eservice
{{- end }}

{{- define "eservice.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The data folder is needed while mail or uploaded files stay on local disk. */}}
{{- define "eservice.needsDataDir" -}}
{{- if or (not .Values.smtp.enabled) (not .Values.s3.enabled) }}true{{ end }}
{{- end }}

{{- define "eservice.dataDir" -}}/var/lib/eservice{{- end }}

{{- define "eservice.containerPort" -}}8080{{- end }}

{{/* The database URL from its Secret: every process needs it, the migration Job included. */}}
{{- define "eservice.databaseEnv" -}}
- name: ESERVICE_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.existingSecret }}
      key: {{ .Values.database.key }}
{{- end }}

{{/* The environment of serve and worker: the ConfigMap, the secrets, then config.extraEnv. */}}
{{- define "eservice.env" -}}
envFrom:
  - configMapRef:
      name: {{ include "eservice.fullname" . }}
env:
  {{- include "eservice.databaseEnv" . | nindent 2 }}
  {{- if and .Values.smtp.enabled .Values.smtp.existingSecret }}
  - name: ESERVICE_SMTP_USERNAME
    valueFrom:
      secretKeyRef:
        name: {{ .Values.smtp.existingSecret }}
        key: {{ .Values.smtp.usernameKey }}
  - name: ESERVICE_SMTP_PASSWORD
    valueFrom:
      secretKeyRef:
        name: {{ .Values.smtp.existingSecret }}
        key: {{ .Values.smtp.passwordKey }}
  {{- end }}
  {{- if .Values.s3.enabled }}
  - name: ESERVICE_S3_ACCESS_KEY_ID
    valueFrom:
      secretKeyRef:
        name: {{ .Values.s3.existingSecret }}
        key: {{ .Values.s3.accessKeyIdKey }}
  - name: ESERVICE_S3_SECRET_ACCESS_KEY
    valueFrom:
      secretKeyRef:
        name: {{ .Values.s3.existingSecret }}
        key: {{ .Values.s3.secretAccessKeyKey }}
  {{- end }}
  {{- /* last, so that they win over the ConfigMap */}}
  {{- range $name, $value := .Values.config.extraEnv }}
  - name: {{ $name }}
    value: {{ $value | quote }}
  {{- end }}
{{- end }}

{{/* Pod-level settings shared by every pod. */}}
{{- define "eservice.podCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.serviceAccountName }}
serviceAccountName: {{ . }}
{{- end }}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end }}

{{/* Scheduling of one component: pass its values (web or worker). */}}
{{- define "eservice.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Writable mounts: /tmp always, the data folder only while something local is written there. */}}
{{- define "eservice.volumeMounts" -}}
volumeMounts:
  - name: tmp
    mountPath: /tmp
  {{- if include "eservice.needsDataDir" . }}
  - name: data
    mountPath: {{ include "eservice.dataDir" . }}
  {{- end }}
{{- end }}

{{- define "eservice.volumes" -}}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 64Mi
  {{- if include "eservice.needsDataDir" . }}
  - name: data
    {{- if .Values.dataVolume.existingClaim }}
    persistentVolumeClaim:
      claimName: {{ .Values.dataVolume.existingClaim }}
    {{- else }}
    emptyDir:
      sizeLimit: {{ .Values.dataVolume.sizeLimit }}
    {{- end }}
  {{- end }}
{{- end }}

{{/* Restarts web and worker pods when the ConfigMap changes. */}}
{{- define "eservice.configChecksum" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- end }}
