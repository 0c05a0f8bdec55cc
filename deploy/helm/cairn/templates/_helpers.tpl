{{/* Names */}}
{{- define "cairn.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cairn.fullname" -}}
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

{{/* The auth service's objects: "<fullname>-auth" (room kept for the suffix). */}}
{{- define "cairn.authName" -}}
{{- printf "%s-auth" (include "cairn.fullname" . | trunc 58 | trimSuffix "-") }}
{{- end }}

{{- define "cairn.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cairn.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "cairn.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "cairn.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: cairn
{{- end }}

{{/* Labels of one component's objects and pods: the common ones plus its selector labels. */}}
{{- define "cairn.componentLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "cairn.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: cairn
{{- end }}

{{/* Selector labels of one component: gateway (also the all-in-one pod) or auth-service. */}}
{{- define "cairn.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cairn.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* An image reference: digest wins over tag; the tag defaults to the chart's appVersion. */}}
{{- define "cairn.image" -}}
{{- $repo := ternary .image.repository (printf "%s/%s" .image.registry .image.repository) (empty .image.registry) }}
{{- if .image.digest }}
{{- printf "%s@%s" $repo .image.digest }}
{{- else }}
{{- printf "%s:%s" $repo (default .root.Chart.AppVersion .image.tag) }}
{{- end }}
{{- end }}

{{/* Where people reach the console. The auth service refuses plain HTTP off loopback. */}}
{{- define "cairn.publicUrl" -}}
{{- if .Values.config.publicUrl }}
{{- .Values.config.publicUrl | trimSuffix "/" }}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts }}
{{- printf "https://%s" (index .Values.ingress.hosts 0).host }}
{{- else }}
{{- print "http://localhost:4466" }}
{{- end }}
{{- end }}

{{- define "cairn.sessionSecretName" -}}
{{- default (printf "%s-session" (include "cairn.fullname" .)) .Values.config.sessionKey.existingSecret }}
{{- end }}

{{- define "cairn.oidcEnabled" -}}
{{- $oidc := .Values.config.oidc }}
{{- if or $oidc.issuerURL (not $oidc.secret.create) }}true{{ end }}
{{- end }}

{{- define "cairn.oidcSecretName" -}}
{{- if .Values.config.oidc.secret.create }}
{{- printf "%s-oidc" (include "cairn.fullname" .) }}
{{- else }}
{{- required "config.oidc.secret.name is required when config.oidc.secret.create is false: the existing Secret with keys issuerURL, clientID, clientSecret (and optionally scopes)" .Values.config.oidc.secret.name }}
{{- end }}
{{- end }}

{{- define "cairn.caBundleEnabled" -}}
{{- if or .Values.config.caBundle.configMap.name .Values.config.caBundle.secret.name }}true{{ end }}
{{- end }}

{{/* Every mount path the chart uses; the images write nothing, so none of these is writable. */}}
{{- define "cairn.paths" -}}
caBundle: /etc/cairn/ca
remotes: /etc/cairn/remotes
kubeconfig: /etc/cairn/kubeconfig
authConfig: /etc/cairn/auth
webRoot: /app/web
{{- end }}

{{/* The session key, from the generated or the existing Secret; shared by both services. */}}
{{- define "cairn.sessionKeyEnv" -}}
- name: CAIRN_SESSION_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "cairn.sessionSecretName" . }}
      key: current
- name: CAIRN_SESSION_KEY_PREVIOUS
  valueFrom:
    secretKeyRef:
      name: {{ include "cairn.sessionSecretName" . }}
      key: previous
      optional: true
{{- end }}

{{/*
V8's heap limit as a share of the memory the container may use: Node reads the cgroup's limit
(resources.limits.memory) at start. Without it V8 sizes its heap from the host (~259 MiB in a
128 MiB pod) and never collects before the kernel kills the process. With it, glibc's malloc
gives freed blocks of 32 KiB and more back to the kernel, and trims its heap above 1 MiB free,
as the images do (deploy/README.md, Memory).
*/}}
{{- define "cairn.nodeOptionsEnv" -}}
{{- if .Values.config.heapPercentage }}
- name: NODE_OPTIONS
  value: {{ printf "--max-old-space-size-percentage=%v" .Values.config.heapPercentage | quote }}
- name: MALLOC_MMAP_THRESHOLD_
  value: "32768"
- name: MALLOC_TRIM_THRESHOLD_
  value: "1048576"
{{- end }}
{{- end }}

{{/* The gateway container. */}}
{{- define "cairn.gatewayContainer" -}}
{{- $paths := include "cairn.paths" . | fromYaml }}
- name: gateway
  image: {{ include "cairn.image" (dict "image" .Values.image "root" .) }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  args:
    - --in-cluster-context-name={{ .Values.config.inClusterContextName }}
    {{- range .Values.config.extraArgs }}
    - {{ . | quote }}
    {{- end }}
  env:
    - name: CAIRN_HOST
      value: 0.0.0.0
    - name: CAIRN_PORT
      value: "4466"
    - name: CAIRN_WEB_ROOT
      value: {{ $paths.webRoot }}
    {{- include "cairn.nodeOptionsEnv" . | nindent 4 }}
    - name: CAIRN_LOG_LEVEL
      value: {{ .Values.config.logLevel | quote }}
    - name: CAIRN_LOG_FORMAT
      value: {{ .Values.config.logFormat | quote }}
    - name: CAIRN_AUTH_SERVICE_URL
      value: {{ printf "http://%s.%s.svc:4467" (include "cairn.authName" .) .Release.Namespace | quote }}
    - name: CAIRN_IN_CLUSTER
      value: {{ .Values.config.inCluster | quote }}
    {{- with .Values.config.apiServer }}
    {{- if .host }}
    - name: KUBERNETES_SERVICE_HOST
      value: {{ .host | quote }}
    {{- end }}
    {{- if .port }}
    - name: KUBERNETES_SERVICE_PORT
      value: {{ .port | quote }}
    {{- end }}
    {{- end }}
    {{- if .Values.config.kubeconfigSecret }}
    - name: KUBECONFIG
      value: {{ $paths.kubeconfig }}/kubeconfig
    {{- end }}
    {{- if include "cairn.caBundleEnabled" . }}
    - name: CAIRN_CA_BUNDLE
      value: {{ $paths.caBundle }}
    {{- end }}
    {{- if .Values.config.insecureSkipTlsVerify }}
    - name: CAIRN_INSECURE_SKIP_TLS_VERIFY
      value: "true"
    {{- end }}
    - name: CAIRN_USER_REQUEST_RATE
      value: {{ .Values.config.userRequestRate | quote }}
    {{- if .Values.config.readOnly }}
    - name: CAIRN_READ_ONLY
      value: "true"
    {{- end }}
    {{- with .Values.config.impersonation }}
    {{- $impersonated := .kubeconfigClusters }}
    {{- if .enabled }}{{ $impersonated = prepend $impersonated $.Values.config.inClusterContextName }}{{ end }}
    {{- if $impersonated }}
    - name: CAIRN_IMPERSONATE_CLUSTERS
      value: {{ join "," $impersonated | quote }}
    - name: CAIRN_IMPERSONATE_USERNAME_CLAIM
      value: {{ .usernameClaim | quote }}
    - name: CAIRN_IMPERSONATE_USERNAME_PREFIX
      value: {{ .usernamePrefix | quote }}
    - name: CAIRN_IMPERSONATE_GROUPS_CLAIM
      value: {{ .groupsClaim | quote }}
    - name: CAIRN_IMPERSONATE_GROUPS_PREFIX
      value: {{ .groupsPrefix | quote }}
    {{- end }}
    {{- end }}
    {{- with .Values.config.namespaceDiscovery }}
    {{- if .methods }}
    - name: CAIRN_NAMESPACE_DISCOVERY
      value: {{ join "," .methods | quote }}
    - name: CAIRN_NAMESPACE_DISCOVERY_LABEL
      value: {{ .label | quote }}
    {{- if .groups }}
    - name: CAIRN_NAMESPACE_DISCOVERY_GROUPS
      value: {{ toJson .groups | quote }}
    {{- end }}
    {{- if .clusters }}
    - name: CAIRN_NAMESPACE_DISCOVERY_CLUSTERS
      value: {{ join "," .clusters | quote }}
    {{- end }}
    - name: CAIRN_NAMESPACE_DISCOVERY_MAX_CANDIDATES
      value: {{ .maxCandidates | quote }}
    - name: CAIRN_NAMESPACE_DISCOVERY_CACHE_SECONDS
      value: {{ .cacheSeconds | quote }}
    {{- end }}
    {{- end }}
    {{- with .Values.config.accessHelp }}
    {{- if .text }}
    - name: CAIRN_ACCESS_HELP
      value: {{ .text | quote }}
    {{- if .url }}
    - name: CAIRN_ACCESS_HELP_URL
      value: {{ .url | quote }}
    {{- end }}
    {{- end }}
    {{- end }}
    - name: CAIRN_USER_CLUSTERS
      value: {{ .Values.config.userClusters.enabled | quote }}
    {{- if .Values.config.userClusters.enabled }}
    - name: CAIRN_USER_CLUSTER_ALLOW
      value: {{ join "," .Values.config.userClusters.allow | quote }}
    {{- with .Values.config.userClusters.deny }}
    - name: CAIRN_USER_CLUSTER_DENY
      value: {{ join "," . | quote }}
    {{- end }}
    {{- end }}
    - name: CAIRN_PUBLIC_URL
      value: {{ include "cairn.publicUrl" . | quote }}
    {{- if .Values.config.insecureCookies }}
    - name: CAIRN_INSECURE_COOKIES
      value: "true"
    {{- end }}
    {{- if .Values.config.remotes }}
    - name: CAIRN_REMOTES_FILE
      value: {{ $paths.remotes }}/remotes.json
    {{- end }}
    - name: CAIRN_REMOTES_CONFIGMAPS
      value: {{ .Values.config.remotesConfigMaps.enabled | quote }}
    {{- if and .Values.config.remotesConfigMaps.enabled .Values.config.remotesConfigMaps.namespace }}
    - name: CAIRN_REMOTES_NAMESPACE
      value: {{ .Values.config.remotesConfigMaps.namespace | quote }}
    {{- end }}
    {{- if and .Values.config.remotesConfigMaps.enabled .Values.config.remotesConfigMaps.allowedOrigins }}
    - name: CAIRN_REMOTES_ALLOWED_ORIGINS
      value: {{ join "," .Values.config.remotesConfigMaps.allowedOrigins | quote }}
    {{- end }}
    {{- include "cairn.sessionKeyEnv" . | nindent 4 }}
    {{- with .Values.env }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  ports:
    - name: http
      containerPort: 4466
      protocol: TCP
  startupProbe:
    httpGet: { path: /healthz, port: http }
    periodSeconds: 2
    failureThreshold: 30
  livenessProbe:
    httpGet: { path: /healthz, port: http }
    periodSeconds: 10
  readinessProbe:
    httpGet: { path: /readyz, port: http }
    periodSeconds: 5
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  resources:
    {{- toYaml .Values.resources | nindent 4 }}
  {{- $mounts := list }}
  {{- if include "cairn.caBundleEnabled" . }}
  {{- $mounts = append $mounts (dict "name" "ca-bundle" "mountPath" $paths.caBundle "readOnly" true) }}
  {{- end }}
  {{- if .Values.config.remotes }}
  {{- $mounts = append $mounts (dict "name" "remotes" "mountPath" $paths.remotes "readOnly" true) }}
  {{- end }}
  {{- if .Values.config.kubeconfigSecret }}
  {{- $mounts = append $mounts (dict "name" "kubeconfig" "mountPath" $paths.kubeconfig "readOnly" true) }}
  {{- end }}
  {{- $mounts = concat $mounts .Values.volumeMounts }}
  {{- with $mounts }}
  volumeMounts:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{/* The auth-service container. */}}
{{- define "cairn.authContainer" -}}
{{- $paths := include "cairn.paths" . | fromYaml }}
{{- $oidc := .Values.config.oidc }}
{{- $oidcSecret := "" }}
{{- if include "cairn.oidcEnabled" . }}{{ $oidcSecret = include "cairn.oidcSecretName" . }}{{ end }}
- name: auth-service
  image: {{ include "cairn.image" (dict "image" .Values.auth.image "root" .) }}
  imagePullPolicy: {{ .Values.auth.image.pullPolicy }}
  env:
    {{- include "cairn.nodeOptionsEnv" . | nindent 4 }}
    - name: CAIRN_AUTH_HOST
      value: 0.0.0.0
    - name: CAIRN_AUTH_PORT
      value: "4467"
    - name: CAIRN_LOG_LEVEL
      value: {{ .Values.config.logLevel | quote }}
    - name: CAIRN_LOG_FORMAT
      value: {{ .Values.config.logFormat | quote }}
    - name: CAIRN_PUBLIC_URL
      value: {{ include "cairn.publicUrl" . | quote }}
    {{- if .Values.config.insecureCookies }}
    - name: CAIRN_INSECURE_COOKIES
      value: "true"
    {{- end }}
    - name: CAIRN_GATEWAY_URL
      value: {{ printf "http://%s.%s.svc:%v" (include "cairn.fullname" .) .Release.Namespace .Values.service.port | quote }}
    {{- if include "cairn.caBundleEnabled" . }}
    - name: CAIRN_CA_BUNDLE
      value: {{ $paths.caBundle }}
    {{- end }}
    {{- if .Values.config.authConfigSecret }}
    - name: CAIRN_AUTH_CONFIG_FILE
      value: {{ $paths.authConfig }}/config.yaml
    {{- end }}
    {{- include "cairn.sessionKeyEnv" . | nindent 4 }}
    {{- if $oidcSecret }}
    {{- /* Issuer, client and scopes: the plain value when given, else the Secret's key. */}}
    {{- range $setting := list (list "OIDC_ISSUER_URL" "issuerURL" false) (list "OIDC_CLIENT_ID" "clientID" false) (list "OIDC_CLIENT_SECRET" "clientSecret" false) (list "OIDC_SCOPES" "scopes" true) }}
    {{- $env := index $setting 0 }}{{ $key := index $setting 1 }}{{ $optional := index $setting 2 }}
    {{- if and $oidc.secret.create (not (index $oidc $key)) }}
    {{- /* Not set: the service's default. */}}
    {{- else if or $oidc.secret.create (eq $key "clientSecret") (not (index $oidc $key)) }}
    - name: {{ $env }}
      valueFrom:
        secretKeyRef:
          name: {{ $oidcSecret }}
          key: {{ $key }}
          {{- if $optional }}
          optional: true
          {{- end }}
    {{- else }}
    - name: {{ $env }}
      value: {{ index $oidc $key | quote }}
    {{- end }}
    {{- end }}
    - name: OIDC_CALLBACK_URL
      value: {{ $oidc.callbackURL | quote }}
    - name: OIDC_USE_ACCESS_TOKEN
      value: {{ $oidc.useAccessToken | quote }}
    {{- if $oidc.providerName }}
    - name: OIDC_PROVIDER_NAME
      value: {{ $oidc.providerName | quote }}
    {{- end }}
    {{- end }}
    {{- with .Values.auth.env }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  ports:
    - name: auth
      containerPort: 4467
      protocol: TCP
  startupProbe:
    httpGet: { path: /healthz, port: auth }
    periodSeconds: 2
    failureThreshold: 30
  livenessProbe:
    httpGet: { path: /healthz, port: auth }
    periodSeconds: 10
  readinessProbe:
    httpGet: { path: /readyz, port: auth }
    periodSeconds: 5
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  resources:
    {{- toYaml .Values.auth.resources | nindent 4 }}
  {{- $mounts := list }}
  {{- if include "cairn.caBundleEnabled" . }}
  {{- $mounts = append $mounts (dict "name" "ca-bundle" "mountPath" $paths.caBundle "readOnly" true) }}
  {{- end }}
  {{- if .Values.config.authConfigSecret }}
  {{- $mounts = append $mounts (dict "name" "auth-config" "mountPath" $paths.authConfig "readOnly" true) }}
  {{- end }}
  {{- $mounts = concat $mounts .Values.auth.volumeMounts }}
  {{- with $mounts }}
  volumeMounts:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{/*
The console container (allInOne): the gateway and the auth service in one Node process, one
port. Built from the two containers above so both keep one definition of every setting: the
gateway's environment, then the auth service's minus what the gateway already sets (the shared
settings), minus the addresses the two services use to reach each other (the console hands
requests across in memory). Settings a person adds (`env`, `auth.env`) are kept as given, so a
name set twice is caught by cairn.validate.
*/}}
{{- define "cairn.consoleContainer" -}}
{{- $gateway := index (include "cairn.gatewayContainer" . | fromYamlArray) 0 }}
{{- $auth := index (include "cairn.authContainer" . | fromYamlArray) 0 }}
{{- $between := list "CAIRN_AUTH_SERVICE_URL" "CAIRN_GATEWAY_URL" "CAIRN_AUTH_HOST" "CAIRN_AUTH_PORT" }}
{{- $added := list }}
{{- range concat .Values.env .Values.auth.env }}{{ $added = append $added .name }}{{ end }}
{{- $env := list }}
{{- $fromGateway := dict }}
{{- range $gateway.env }}
{{- if not (has .name $between) }}{{ $env = append $env . }}{{ end }}
{{- $_ := set $fromGateway .name true }}
{{- end }}
{{- range $auth.env }}
{{- if and (not (has .name $between)) (or (not (hasKey $fromGateway .name)) (has .name $added)) }}{{ $env = append $env . }}{{ end }}
{{- end }}
{{- $mounts := list }}
{{- $mounted := dict }}
{{- range concat ($gateway.volumeMounts | default list) ($auth.volumeMounts | default list) }}
{{- $key := printf "%s=%s" .name .mountPath }}
{{- if not (hasKey $mounted $key) }}{{ $mounts = append $mounts . }}{{ $_ := set $mounted $key true }}{{ end }}
{{- end }}
{{- $console := merge (dict "name" "console" "image" (include "cairn.image" (dict "image" .Values.console.image "root" .)) "imagePullPolicy" .Values.console.image.pullPolicy "env" $env "resources" .Values.console.resources) (omit $gateway "env" "volumeMounts" "resources" "image" "imagePullPolicy" "name") }}
{{- with $mounts }}{{ $_ := set $console "volumeMounts" . }}{{ end }}
{{- list $console | toYaml }}
{{- end }}

{{/* Volumes of a pod; `gateway` and `auth` say which containers it runs. */}}
{{- define "cairn.volumes" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $volumes := list }}
{{- if include "cairn.caBundleEnabled" $root }}
{{- $sources := list }}
{{- with $v.config.caBundle.configMap }}{{ if .name }}{{ $sources = append $sources (dict "configMap" (dict "name" .name "items" (list (dict "key" .key "path" "configmap-ca.crt")))) }}{{ end }}{{ end }}
{{- with $v.config.caBundle.secret }}{{ if .name }}{{ $sources = append $sources (dict "secret" (dict "name" .name "items" (list (dict "key" .key "path" "secret-ca.crt")))) }}{{ end }}{{ end }}
{{- $volumes = append $volumes (dict "name" "ca-bundle" "projected" (dict "sources" $sources)) }}
{{- end }}
{{- if and .gateway $v.config.remotes }}
{{- $volumes = append $volumes (dict "name" "remotes" "configMap" (dict "name" (printf "%s-remotes" (include "cairn.fullname" $root)))) }}
{{- end }}
{{- if and .gateway $v.config.kubeconfigSecret }}
{{- $volumes = append $volumes (dict "name" "kubeconfig" "secret" (dict "secretName" $v.config.kubeconfigSecret "items" (list (dict "key" "kubeconfig" "path" "kubeconfig")))) }}
{{- end }}
{{- if and .auth $v.config.authConfigSecret }}
{{- $volumes = append $volumes (dict "name" "auth-config" "secret" (dict "secretName" $v.config.authConfigSecret "items" (list (dict "key" "config.yaml" "path" "config.yaml")))) }}
{{- end }}
{{- $volumes = concat $volumes $v.volumes }}
{{- with $volumes }}
volumes:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Pod-level fields both Deployments share. */}}
{{- define "cairn.podCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end }}
